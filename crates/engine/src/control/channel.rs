//! The local channel the control protocol runs on, one per system: a Unix socket in the data
//! folder (mode 0600) on Unix; on Windows a named pipe whose name is derived from that path
//! (pipes live in their own namespace), open to its owner alone, refusing remote clients.

use std::io;
use std::path::Path;

use tokio::io::{AsyncRead, AsyncWrite};

/// Either end of a connection.
pub trait Duplex: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Duplex for T {}

pub type Stream = Box<dyn Duplex>;

pub use system::{Listener, bind, connect};

#[cfg(unix)]
mod system {
    use super::*;
    use tokio::net::{UnixListener, UnixStream};

    pub struct Listener(UnixListener);

    impl Listener {
        pub async fn accept(&mut self) -> io::Result<Stream> {
            Ok(Box::new(self.0.accept().await?.0))
        }
    }

    pub async fn connect(path: &Path) -> io::Result<Stream> {
        Ok(Box::new(UnixStream::connect(path).await?))
    }

    /// Binds `path`, replacing a socket file an app that was killed left (the caller has made
    /// sure no app answers on it).
    pub fn bind(path: &Path) -> io::Result<Listener> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let listener = UnixListener::bind(path)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        Ok(Listener(listener))
    }
}

#[cfg(windows)]
mod system {
    use super::*;
    use std::time::Duration;
    use tokio::net::windows::named_pipe::{ClientOptions, NamedPipeServer, ServerOptions};

    /// `ERROR_PIPE_BUSY`: every instance is taken; another is made as soon as one is accepted.
    const PIPE_BUSY: i32 = 231;

    /// The pipe for the data folder's socket path: one app per data folder, as on Unix. (FNV-1a:
    /// stable across builds, which std's hasher is not promised to be.)
    fn pipe_name(path: &Path) -> String {
        let hash = path.to_string_lossy().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!(r"\\.\pipe\sentry-tray-{hash:016x}")
    }

    pub struct Listener {
        name: String,
        next: NamedPipeServer,
    }

    impl Listener {
        pub async fn accept(&mut self) -> io::Result<Stream> {
            self.next.connect().await?;
            let fresh = create(ServerOptions::new().reject_remote_clients(true), &self.name)?;
            Ok(Box::new(std::mem::replace(&mut self.next, fresh)))
        }
    }

    /// An instance of the pipe that only its owner, the user running the app, may open (the
    /// default would let every local user connect to read).
    #[allow(unsafe_code)]
    fn create(options: &ServerOptions, name: &str) -> io::Result<NamedPipeServer> {
        use windows_sys::Win32::Foundation::LocalFree;
        use windows_sys::Win32::Security::Authorization::{
            ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
        };
        use windows_sys::Win32::Security::SECURITY_ATTRIBUTES;
        // A protected DACL with one entry: all access for OWNER RIGHTS (the object's owner).
        let sddl: Vec<u16> = "D:P(A;;GA;;;OW)".encode_utf16().chain([0]).collect();
        let mut descriptor = std::ptr::null_mut();
        // SAFETY: `sddl` is NUL-terminated and outlives the call; the descriptor it returns is
        // only read by the pipe's creation and freed once, after it.
        unsafe {
            if ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                std::ptr::null_mut(),
            ) == 0
            {
                return Err(io::Error::last_os_error());
            }
            let mut attributes = SECURITY_ATTRIBUTES {
                nLength: std::mem::size_of::<SECURITY_ATTRIBUTES>() as u32,
                lpSecurityDescriptor: descriptor,
                bInheritHandle: 0,
            };
            let created =
                options.create_with_security_attributes_raw(name, (&raw mut attributes).cast::<std::ffi::c_void>());
            LocalFree(descriptor);
            created
        }
    }

    pub async fn connect(path: &Path) -> io::Result<Stream> {
        let name = pipe_name(path);
        // Busy for as long as the app takes to make the next instance; an app that never does
        // is reported as the error it gives.
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        loop {
            match ClientOptions::new().open(&name) {
                Ok(client) => return Ok(Box::new(client)),
                Err(e) if e.raw_os_error() == Some(PIPE_BUSY) && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Creates the pipe's first instance; a second app's `first_pipe_instance` fails, which is
    /// the single-instance check's second line (the first is the caller's connect).
    pub fn bind(path: &Path) -> io::Result<Listener> {
        let name = pipe_name(path);
        let next = create(
            ServerOptions::new()
                .first_pipe_instance(true)
                .reject_remote_clients(true),
            &name,
        )?;
        Ok(Listener { name, next })
    }
}
