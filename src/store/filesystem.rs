//! Where the database file lives: SQLite's WAL mode needs every process on one host with
//! shared memory, which network filesystems do not give. hark warns when it sees one.

use std::path::Path;

/// Filesystem types that are network (or otherwise remote) mounts.
const NETWORK: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb",
    "smb2",
    "smb3",
    "smbfs",
    "fuse.sshfs",
    "sshfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "fuse.glusterfs",
    "lustre",
    "gpfs",
    "fuse.rclone",
    "davfs",
    "fuse.s3fs",
];

/// The network filesystem type the file (or its folder) is on, if any. Linux only (reads
/// /proc/mounts); elsewhere answers None.
pub fn network_filesystem(path: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let absolute = std::fs::canonicalize(path)
        .or_else(|_| {
            path.parent()
                .map_or_else(|| std::fs::canonicalize("."), std::fs::canonicalize)
        })
        .ok()?;
    network_filesystem_in(&mounts, &absolute)
}

/// The same, against the text of a mounts table.
pub fn network_filesystem_in(mounts: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for line in mounts.lines() {
        let mut fields = line.split_whitespace();
        let (Some(_device), Some(mount_point), Some(kind)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        // /proc/mounts writes spaces in paths as \040.
        let mount_point = mount_point.replace("\\040", " ");
        if path.starts_with(&mount_point)
            && best
                .as_ref()
                .is_none_or(|(len, _)| mount_point.len() > *len)
        {
            best = Some((mount_point.len(), kind.to_owned()));
        }
    }
    best.map(|(_, kind)| kind)
        .filter(|kind| NETWORK.contains(&kind.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "/dev/sda1 / ext4 rw 0 0\n\
        server:/export /home/team nfs4 rw 0 0\n\
        /dev/sdb1 /home/team/local ext4 rw 0 0\n\
        //nas/share /mnt/my\\040share cifs rw 0 0\n";

    #[test]
    fn the_deepest_mount_decides() {
        assert_eq!(
            network_filesystem_in(MOUNTS, Path::new("/home/team/hark.db")).as_deref(),
            Some("nfs4")
        );
        assert_eq!(
            network_filesystem_in(MOUNTS, Path::new("/home/team/local/hark.db")),
            None
        );
        assert_eq!(
            network_filesystem_in(MOUNTS, Path::new("/var/lib/hark.db")),
            None
        );
        assert_eq!(
            network_filesystem_in(MOUNTS, Path::new("/mnt/my share/hark.db")).as_deref(),
            Some("cifs")
        );
    }
}
