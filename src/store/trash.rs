//! Deleting a session's files so that a failure leaves the session whole: its directory is
//! first moved aside in one `rename` (either all of it is still in place or none of it is),
//! then removed from the side. What a failed removal leaves there is removed at the next start.

use std::io;
use std::path::PathBuf;

use super::Store;
use crate::session::SessionName;

impl Store {
    /// `<data dir>/trash`: where deleted sessions wait for their removal. Beside `sessions/`
    /// (same file system, so the move is a rename) and never listed as a session.
    fn trash(&self) -> PathBuf {
        self.sessions.parent().map_or_else(
            || self.sessions.join("..").join("trash"),
            |d| d.join("trash"),
        )
    }

    /// Moves a session's directory into the trash, in one rename: after an error nothing was
    /// moved and the session's files are as they were. Fails while the write fault is set.
    pub fn retire(&self, slug: &SessionName) -> io::Result<PathBuf> {
        self.fault.check()?;
        // Not while a scrub rewrites this session's files (it would write into the moved
        // directory's old path and fail half way).
        let _scrub = super::scrub::lock();
        let trash = self.trash();
        self.fs.create_dir_all(&trash)?;
        let to = trash.join(format!("{slug}-{}", uuid::Uuid::new_v4().simple()));
        self.fs.rename(&self.dir(slug), &to)?;
        // The rename is what deletes; make it survive a power cut. The trash is emptied at
        // every start, so a rename that is lost again only brings the session back.
        self.fs.sync_dir(&self.sessions)?;
        Ok(to)
    }

    /// Removes everything in the trash (deletions whose removal failed or was cut short).
    pub fn empty_trash(&self) -> io::Result<()> {
        let trash = self.trash();
        if !self.fs.is_dir(&trash) {
            return Ok(());
        }
        for (name, _) in self.fs.list(&trash)? {
            self.fs.remove_dir_all(&trash.join(name))?;
        }
        Ok(())
    }
}
