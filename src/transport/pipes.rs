//! The process's stdin and stdout as the transport reads and writes them.

use tokio::io::{AsyncRead, AsyncWrite};

/// The process's stdin and stdout. Pipes and sockets, which is what MCP clients connect, are
/// read and written on the runtime's own thread; tokio's stdio would hand every read and every
/// write to a blocking thread and back. Anything else (a terminal, a file) uses tokio's stdio.
pub fn stdio() -> (
    Box<dyn AsyncRead + Unpin + Send>,
    Box<dyn AsyncWrite + Unpin + Send>,
) {
    #[cfg(unix)]
    let (input, output) = (direct::input(), direct::output());
    #[cfg(not(unix))]
    let (input, output) = (None, None);
    (
        input.unwrap_or_else(|| Box::new(tokio::io::stdin())),
        output.unwrap_or_else(|| Box::new(tokio::io::stdout())),
    )
}

/// Non-blocking stdin/stdout on unix, when they are a pipe or a socket.
#[cfg(unix)]
mod direct {
    use std::fs::File;
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::{FileTypeExt, MetadataExt};

    use tokio::io::{AsyncRead, AsyncWrite};
    use tokio::net::UnixStream;
    use tokio::net::unix::pipe;

    /// A duplicate of `fd`: the same open file, which becomes non-blocking.
    fn duplicate(fd: impl AsFd) -> Option<File> {
        fd.as_fd().try_clone_to_owned().ok().map(File::from)
    }

    fn socket(file: File) -> Option<UnixStream> {
        let socket = std::os::unix::net::UnixStream::from(OwnedFd::from(file));
        socket.set_nonblocking(true).ok()?;
        UnixStream::from_std(socket).ok()
    }

    pub fn input() -> Option<Box<dyn AsyncRead + Unpin + Send>> {
        let file = duplicate(std::io::stdin())?;
        let kind = file.metadata().ok()?.file_type();
        if kind.is_fifo() {
            Some(Box::new(pipe::Receiver::from_file(file).ok()?))
        } else if kind.is_socket() {
            Some(Box::new(socket(file)?))
        } else {
            None
        }
    }

    pub fn output() -> Option<Box<dyn AsyncWrite + Unpin + Send>> {
        let file = duplicate(std::io::stdout())?;
        let metadata = file.metadata().ok()?;
        // Logs go to stderr with blocking writes; when it is the same pipe as stdout, making
        // that pipe non-blocking would make a log write fail whenever the pipe is full.
        let stderr = duplicate(std::io::stderr()).and_then(|file| file.metadata().ok());
        if stderr
            .is_some_and(|stderr| (stderr.dev(), stderr.ino()) == (metadata.dev(), metadata.ino()))
        {
            return None;
        }
        // As in `input`, with the writing halves: a pipe's sender is another type than its
        // receiver, so the two stay side by side rather than behind a generic.
        let kind = metadata.file_type();
        if kind.is_fifo() {
            Some(Box::new(pipe::Sender::from_file(file).ok()?))
        } else if kind.is_socket() {
            Some(Box::new(socket(file)?))
        } else {
            None
        }
    }
}
