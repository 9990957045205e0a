//! What the demo brand's customers say, in several languages. The brand is "Kettle & Crumb", an
//! online coffee and bakery subscription shop.

/// Languages the demo speaks, with how often each appears (out of 100).
pub const LANGUAGES: &[(Lang, u32)] = &[
    (Lang::En, 44),
    (Lang::Es, 14),
    (Lang::Ar, 10),
    (Lang::Ko, 10),
    (Lang::Zh, 10),
    (Lang::El, 12),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
    Ar,
    Ko,
    Zh,
    El,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Urgent: the payment page, a double charge.
    Payment,
    Delivery,
    Pricing,
    Praise,
    Question,
    Complaint,
}

pub const TOPICS: &[(Topic, u32)] = &[
    (Topic::Payment, 14),
    (Topic::Delivery, 18),
    (Topic::Pricing, 18),
    (Topic::Praise, 22),
    (Topic::Question, 16),
    (Topic::Complaint, 12),
];

/// A customer: display name, handle, bio.
pub type Person = (&'static str, &'static str, &'static str);

pub fn people(lang: Lang) -> &'static [Person] {
    match lang {
        Lang::En => &[
            (
                "Olivia Bennett",
                "oliviab",
                "Coffee first, questions later. Leeds.",
            ),
            ("Marcus Hale", "marcushale", "Runner, dad, espresso snob."),
            (
                "Priya Natarajan",
                "priya.codes",
                "Engineer. Tea person converting to coffee.",
            ),
            (
                "Jamie O'Connor",
                "jamieoc",
                "Cork ➜ Berlin. Bakes on Sundays.",
            ),
            ("Sam Whitfield", "samwhit", ""),
            ("Chloe Martin", "chloe_m", "Small café owner 🧁 @ Brighton"),
            ("Dev Patel", "devpatel_", "Product designer. Opinions mine."),
            (
                "Grace Okafor",
                "graceokafor",
                "Lagos | London. Food writer.",
            ),
            ("Tom Gallagher", "tomgallagher", "Dublin. Cyclist."),
            (
                "Aisha Rahman",
                "aisharahman",
                "Nurse on nights, coffee on days.",
            ),
            ("Ben Carter", "bencarter", "Teacher in Bristol"),
            ("Hannah Schmidt", "hannah.s", "UX researcher · Munich"),
            ("Leo Rossi", "leorossi", "Home barista. V60 > everything."),
            ("Maya Johnson", "mayaj", "Austin TX 🤠 ☕"),
            ("Noah Kim", "noahkim", ""),
            ("Emily Walsh", "emilywalsh", "Bookshop owner, Edinburgh"),
        ],
        Lang::Es => &[
            ("Lucía Fernández", "luciafdz", "Madrid · café y libros"),
            (
                "Mateo García",
                "mateogarcia",
                "Barista aficionado en Valencia",
            ),
            ("Valentina Rojas", "valerojas", "Santiago de Chile 🇨🇱"),
            (
                "Diego Morales",
                "diegomorales",
                "Ciudad de México. Diseño y café.",
            ),
        ],
        Lang::Ar => &[
            ("ليلى حداد", "layla.haddad", "عاشقة القهوة ☕ عمّان"),
            ("عمر الخطيب", "omar.khatib", "مهندس برمجيات في دبي"),
            ("نور السيد", "nour.elsayed", "القاهرة | تصوير وقهوة"),
            ("يوسف منصور", "youssef.mansour", ""),
            ("سارة العلي", "sara.alali", "الرياض · مصممة"),
            ("خالد يوسف", "khaled.y", "بيروت"),
        ],
        Lang::Ko => &[
            ("김민지", "minji.kim", "서울 카페 투어 중 ☕"),
            ("이준호", "junho_lee", "개발자. 라떼 좋아함"),
            ("박서연", "seoyeon.park", "부산 | 베이킹"),
            ("최도윤", "doyun.choi", ""),
            ("정하은", "haeun.jung", "대전 · 대학원생"),
            ("강지훈", "jihoon.kang", "인천 카페 사장"),
        ],
        Lang::Zh => &[
            ("王芳", "wangfang88", "上海 · 咖啡爱好者"),
            ("李伟", "liwei_sz", "深圳程序员"),
            ("陈静", "chenjing", "台北 ☕ 甜点控"),
            ("张磊", "zhanglei", ""),
            ("刘洋", "liuyang", "北京 · 设计师"),
            ("黄丽", "huangli", "广州"),
        ],
        Lang::El => &[
            (
                "Μαρία Παπαδοπούλου",
                "maria.papa",
                "Αθήνα · καφές και βιβλία",
            ),
            ("Γιώργος Νικολάου", "giorgos.n", "Θεσσαλονίκη. Μηχανικός."),
            ("Ελένη Κωνσταντίνου", "eleni.k", "Ηράκλειο Κρήτης ☀️"),
            ("Νίκος Αλεξίου", "nikos.alex", "Πάτρα · προγραμματιστής"),
            ("Σοφία Δημητρίου", "sofia.d", ""),
        ],
    }
}

/// What a customer opens a conversation with.
pub fn openers(lang: Lang, topic: Topic) -> &'static [&'static str] {
    use Lang::*;
    use Topic::*;
    match (lang, topic) {
        (En, Payment) => &[
            "My payment page won't load, it just spins forever. I need to renew today!",
            "URGENT: I was charged twice for my October box. Can someone fix this please?",
            "Checkout keeps saying \"card declined\" but my bank says everything is fine?",
        ],
        (En, Delivery) => &[
            "My order #48213 says delivered but there's nothing at my door 😕",
            "Any idea when the autumn boxes ship? Mine hasn't moved since Monday.",
            "The courier left my beans in the rain. Box was soaked.",
        ],
        (En, Pricing) => &[
            "How much is the monthly subscription if I pause every other month?",
            "Is the 20% off in your ad for new customers only?",
            "Do you do student discounts?",
        ],
        (En, Praise) => &[
            "The Ethiopian Guji you sent this month is unreal. Best cup I've had all year ☕✨",
            "Just want to say your support team sorted my order in 5 minutes. Legends.",
            "Those cardamom buns 😍 please never stop making them",
        ],
        (En, Question) => &[
            "Do you have a decaf option for the subscription?",
            "Can I change my grind from whole bean to espresso?",
            "Are your packaging bags compostable?",
        ],
        (En, Complaint) => &[
            "Third late delivery in a row. I'd like a refund for this month.",
            "The new blend tastes burnt. Can I swap it?",
            "I cancelled last week and still got billed. Not happy.",
        ],
        (Es, Payment) => &[
            "¡La página de pago no carga! Necesito renovar hoy mismo.",
            "Me han cobrado dos veces el pedido de octubre, ¿me ayudáis?",
        ],
        (Es, Delivery) => &[
            "Mi pedido dice entregado pero no ha llegado nada 😕",
            "¿Cuándo se envían las cajas de otoño?",
        ],
        (Es, Pricing) => &[
            "¿Cuánto cuesta la suscripción mensual? ¿Hay envío gratis a Canarias?",
            "¿El descuento del 20% del anuncio vale para clientes nuevos solamente?",
        ],
        (Es, Praise) => &[
            "¡El café de Colombia de este mes está buenísimo! 😍",
            "Gracias por la atención tan rápida, sois geniales.",
        ],
        (Es, Question) => &[
            "¿Tenéis opción descafeinada?",
            "¿Puedo cambiar el molido a espresso?",
        ],
        (Es, Complaint) => &[
            "Tercer retraso seguido. Quiero un reembolso.",
            "Cancelé la suscripción y me siguen cobrando.",
        ],
        (Ar, Payment) => &[
            "صفحة الدفع لا تفتح أبداً! أحتاج إلى تجديد اشتراكي اليوم.",
            "تم خصم المبلغ مرتين من بطاقتي، أرجو المساعدة بسرعة.",
        ],
        (Ar, Delivery) => &[
            "طلبي مكتوب أنه وصل لكنه لم يصل 😕",
            "متى يتم شحن صناديق الخريف؟",
        ],
        (Ar, Pricing) => &[
            "كم سعر الاشتراك الشهري؟ وهل يوجد شحن مجاني؟",
            "هل خصم ٢٠٪ في الإعلان للعملاء الجدد فقط؟",
        ],
        (Ar, Praise) => &[
            "قهوة هذا الشهر رائعة جداً! شكراً لكم ☕",
            "خدمة العملاء عندكم ممتازة، شكراً على سرعة الرد.",
        ],
        (Ar, Question) => &[
            "هل يوجد خيار قهوة منزوعة الكافيين؟",
            "هل يمكنني تغيير الطحن إلى إسبريسو؟",
        ],
        (Ar, Complaint) => &[
            "التوصيل متأخر للمرة الثالثة. أريد استرداد المبلغ.",
            "ألغيت الاشتراك وما زلتم تخصمون المبلغ!",
        ],
        (Ko, Payment) => &[
            "결제 페이지가 안 열려요! 오늘 꼭 갱신해야 하는데요.",
            "10월 박스 결제가 두 번 됐어요. 확인 부탁드려요.",
        ],
        (Ko, Delivery) => &[
            "배송 완료라고 나오는데 물건을 못 받았어요 😕",
            "가을 박스는 언제 발송되나요?",
        ],
        (Ko, Pricing) => &[
            "월 구독료가 얼마인가요? 무료 배송 되나요?",
            "광고에 나온 20% 할인은 신규 고객만 되나요?",
        ],
        (Ko, Praise) => &[
            "이번 달 원두 정말 최고예요! ☕✨",
            "빠른 답변 감사합니다. 정말 친절하세요!",
        ],
        (Ko, Question) => &[
            "디카페인 옵션도 있나요?",
            "분쇄를 에스프레소용으로 바꿀 수 있나요?",
        ],
        (Ko, Complaint) => &[
            "배송이 세 번 연속 늦었어요. 환불 원합니다.",
            "구독을 취소했는데 또 결제됐어요.",
        ],
        (Zh, Payment) => &[
            "支付页面打不开！我今天必须续订。",
            "十月的订单被扣了两次款，请帮忙处理。",
        ],
        (Zh, Delivery) => &[
            "订单显示已送达，但我什么都没收到 😕",
            "秋季礼盒什么时候发货？",
        ],
        (Zh, Pricing) => &["每月订阅多少钱？包邮吗？", "广告里的八折优惠只限新客户吗？"],
        (Zh, Praise) => &[
            "这个月的咖啡豆太好喝了！☕",
            "谢谢你们这么快回复，服务很棒。",
        ],
        (Zh, Question) => &["有低因咖啡可选吗？", "可以把研磨改成意式浓缩吗？"],
        (Zh, Complaint) => &[
            "已经连续三次延迟送货了，我要求退款。",
            "我已经取消订阅了，为什么还扣费？",
        ],
        (El, Payment) => &[
            "Η σελίδα πληρωμής δεν φορτώνει! Πρέπει να ανανεώσω σήμερα.",
            "Με χρεώσατε δύο φορές για τον Οκτώβριο, βοήθεια παρακαλώ.",
        ],
        (El, Delivery) => &[
            "Η παραγγελία λέει ότι παραδόθηκε αλλά δεν ήρθε τίποτα 😕",
            "Πότε στέλνετε τα φθινοπωρινά κουτιά;",
        ],
        (El, Pricing) => &[
            "Πόσο κοστίζει η μηνιαία συνδρομή; Έχει δωρεάν μεταφορικά;",
            "Η έκπτωση 20% της διαφήμισης ισχύει μόνο για νέους πελάτες;",
        ],
        (El, Praise) => &[
            "Ο καφές αυτού του μήνα είναι καταπληκτικός! ☕",
            "Ευχαριστώ για τη γρήγορη απάντηση, είστε υπέροχοι.",
        ],
        (El, Question) => &[
            "Έχετε επιλογή χωρίς καφεΐνη;",
            "Μπορώ να αλλάξω το άλεσμα για εσπρέσο;",
        ],
        (El, Complaint) => &[
            "Τρίτη καθυστέρηση στη σειρά. Θέλω επιστροφή χρημάτων.",
            "Ακύρωσα τη συνδρομή και με χρεώνετε ακόμα.",
        ],
    }
}

/// A customer writing again before anyone answered.
pub fn nudges(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "Hello?? Anyone there?",
            "Any update on this?",
            "Still waiting…",
        ],
        Lang::Es => &["¿Hola? ¿Alguien?", "¿Alguna novedad?"],
        Lang::Ar => &["مرحباً؟ هل من أحد؟", "هل من جديد؟"],
        Lang::Ko => &["안녕하세요? 답변 기다려요.", "업데이트 있나요?"],
        Lang::Zh => &["有人吗？", "有进展吗？"],
        Lang::El => &["Γεια; Είναι κανείς εκεί;", "Κάποια ενημέρωση;"],
    }
}

/// A customer answering the brand's reply.
pub fn answers(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "Thanks, that worked! 🙌",
            "Hmm, still not working on my side. I'm on Safari if that helps.",
            "Perfect, thank you so much!",
            "Got it. When will the refund show up?",
        ],
        Lang::Es => &[
            "¡Gracias, ya funciona! 🙌",
            "Sigue sin funcionar, uso Safari.",
        ],
        Lang::Ar => &["شكراً، تم حل المشكلة! 🙌", "ما زالت المشكلة موجودة للأسف."],
        Lang::Ko => &[
            "감사합니다, 해결됐어요! 🙌",
            "아직도 안 돼요. 사파리 쓰고 있어요.",
        ],
        Lang::Zh => &["谢谢，已经好了！🙌", "还是不行，我用的是 Safari。"],
        Lang::El => &[
            "Ευχαριστώ, λειτούργησε! 🙌",
            "Ακόμα δεν λειτουργεί, χρησιμοποιώ Safari.",
        ],
    }
}

/// An earlier answer from the brand, written in the network's own app before hark was set up.
pub fn brand_replies(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &[
            "Hi! Sorry about that, could you DM us your order number?",
            "Thanks for reaching out! We're looking into it now.",
        ],
        Lang::Es => &["¡Hola! ¿Nos envías tu número de pedido por mensaje?"],
        Lang::Ar => &["مرحباً! هل يمكنك إرسال رقم الطلب في رسالة خاصة؟"],
        Lang::Ko => &["안녕하세요! 주문 번호를 DM으로 보내주시겠어요?"],
        Lang::Zh => &["您好！可以私信告诉我们订单号吗？"],
        Lang::El => &["Γεια σας! Μπορείτε να μας στείλετε τον αριθμό παραγγελίας;"],
    }
}

/// The brand's posts that customers comment on.
pub const POSTS: &[&str] = &[
    "Our autumn blend is here 🍂 Notes of fig, cocoa and a little mischief.",
    "Behind the scenes: roasting day at the Leeds roastery.",
    "Cardamom buns are back for the weekend only!",
    "Meet the farmers behind this month's Ethiopian Guji.",
];

/// The brand's ads that customers comment on.
pub const ADS: &[&str] = &[
    "20% off your first box — fresh coffee at your door every month.",
    "Gift a subscription this season. Free shipping on 3+ months.",
];

/// Someone trying to mess up the terminal of whoever reads the inbox. hark must show it as
/// harmless text.
pub const HOSTILE: &str = "WIN A FREE YEAR \u{1b}[2J\u{1b}[H\u{1b}[31;1mCLICK NOW\u{1b}[0m \
     \u{1b}]0;pwned\u{7}\u{1b}]8;;http://example.invalid\u{1b}\\prize\u{1b}]8;;\u{1b}\\ \u{7}\u{8}\u{8}!!";
