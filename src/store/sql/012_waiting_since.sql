-- hark schema, version 12: since when a conversation waits for the brand (the first customer
-- message after the brand's last reply; none while answered, closed or snoozed), for the
-- response-time targets (SLA) and the Overdue folder.
ALTER TABLE conversations ADD COLUMN waiting_since INTEGER;
UPDATE conversations SET waiting_since = (
    SELECT min(m.created_at) FROM messages m
    WHERE m.conversation_id = conversations.id AND m.direction = 'in'
      AND m.created_at > coalesce((SELECT max(o.created_at) FROM messages o
                                  WHERE o.conversation_id = conversations.id
                                    AND o.direction = 'out'), 0))
WHERE status = 'open';
