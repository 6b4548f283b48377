//! On a shared machine the user's alerts, settings and logs are theirs alone: folders 0700,
//! files 0600, including files an older version created with the default 0755/0644.

use std::io;
use std::path::Path;

/// Makes every file and folder this process creates from now on private (umask 077), so files
/// made by libraries (SQLite's WAL and SHM, the daily log file) are too. For binaries' `main`.
pub fn restrict_new_files() {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::RWXG | Mode::RWXO);
    }
}

/// Creates `dir` (and its parents) and makes `dir` itself private if it is not.
pub fn folder(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode((mode & 0o7700) | 0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Makes `path` readable and writable by its owner only, if it exists and is not already.
pub fn file(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Creates the empty file `path` as 0600 unless it exists. SQLite gives a database's WAL and
/// SHM files the database file's own mode, so a private database keeps them private.
pub fn create_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Every file directly in `dir` made private (the log files an older version left).
pub fn files_in(dir: &Path) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            file(&entry.path())?;
        }
    }
    Ok(())
}
