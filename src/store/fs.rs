//! The file layer under the store: every read, write, fsync and rename the store makes goes
//! through [`Fs`], so a test can put a simulated disk underneath (`sim_fs`, which loses
//! what was not yet fsynced at a simulated power cut) and prove the store's ordering of
//! writes, fsyncs and renames against it. [`RealFs`] is `std::fs`, one call each.

use std::fmt::Debug;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The file operations the store makes. Paths are whole paths; a directory's entries change
/// durably only once the directory is fsynced ([`Fs::sync_dir`]), a file's bytes once the
/// file is ([`FsFile::sync`]).
pub(crate) trait Fs: Send + Sync + Debug {
    /// A whole file's bytes.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// At most the last `max` bytes of a file (the registry's start-up scan reads only a
    /// journal's last line or a snapshot's last field).
    fn read_tail(&self, path: &Path, max: u64) -> io::Result<Vec<u8>> {
        let mut bytes = self.read(path)?;
        let cut = bytes
            .len()
            .saturating_sub(usize::try_from(max).unwrap_or(usize::MAX));
        bytes.drain(..cut);
        Ok(bytes)
    }
    /// The names in a directory, each with whether it is a directory.
    fn list(&self, dir: &Path) -> io::Result<Vec<(String, bool)>>;
    /// Whether a file or directory exists.
    fn exists(&self, path: &Path) -> bool;
    /// Whether `path` is a directory.
    fn is_dir(&self, path: &Path) -> bool;
    /// Makes one directory; `AlreadyExists` if it does (the atomic claim on a name).
    fn create_dir(&self, path: &Path) -> io::Result<()>;
    /// Makes a directory and its parents.
    fn create_dir_all(&self, path: &Path) -> io::Result<()>;
    /// Removes a directory and everything in it.
    fn remove_dir_all(&self, path: &Path) -> io::Result<()>;
    /// Removes a file.
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Renames `from` over `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Fsyncs a directory: its entries (creations, renames, removals) become durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Creates (or empties) a file to write.
    fn create(&self, path: &Path) -> io::Result<Box<dyn FsFile>>;
    /// Opens a file to append to, creating it if needed.
    fn open_append(&self, path: &Path) -> io::Result<Box<dyn FsFile>>;
}

/// An open file: the journal or a file being written atomically.
pub(crate) trait FsFile: Send + Debug {
    /// Appends `bytes` at the file's end.
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Fsyncs the file's bytes (and its length).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts (or extends) the file to `len` bytes.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
    /// The file's length now.
    fn len(&self) -> io::Result<u64>;
}

/// The real disk.
#[derive(Debug, Default)]
pub(crate) struct RealFs;

impl Fs for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn read_tail(&self, path: &Path, max: u64) -> io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = fs::File::open(path)?;
        let len = file.metadata()?.len();
        file.seek(SeekFrom::Start(len.saturating_sub(max)))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<(String, bool)>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            if let Some(name) = entry.file_name().to_str() {
                names.push((name.to_owned(), entry.file_type()?.is_dir()));
            }
        }
        Ok(names)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn create_dir(&self, path: &Path) -> io::Result<()> {
        fs::create_dir(path)
    }

    fn create_dir_all(&self, path: &Path) -> io::Result<()> {
        fs::create_dir_all(path)
    }

    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        fs::remove_dir_all(path)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    fn create(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        Ok(Box::new(RealFile(File::create(path)?)))
    }

    fn open_append(&self, path: &Path) -> io::Result<Box<dyn FsFile>> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Box::new(RealFile(file)))
    }
}

#[derive(Debug)]
struct RealFile(File);

impl FsFile for RealFile {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.0.write_all(bytes)
    }

    fn sync(&mut self) -> io::Result<()> {
        // `fdatasync`: the bytes and the length, not the times (what the journal needs).
        self.0.sync_data()
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
}
