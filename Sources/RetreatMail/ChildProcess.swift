import Foundation
import RetreatScheduling

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One run of a program with `posix_spawn`: input written, output and error read, a deadline kept.
/// The only place in this module that makes system calls.
struct ChildProcess {
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        /// Stopped after the deadline with this signal.
        case timedOut(Int32)
    }

    var ending: Ending
    var standardOutput: [UInt8]
    var standardError: [UInt8]
    /// Input the program did not read: bytes never written to the pipe, or written and still in it when the
    /// program (and whatever it left holding its standard input) was gone.
    var inputLeftUnread: Bool
    /// Every input byte was written to the pipe.
    var inputFullyWritten: Bool
    /// Every input byte was written and none was left in the pipe: the program read the whole message.
    var inputFullyRead: Bool { inputFullyWritten && !inputLeftUnread }

    /// Output kept per stream; the rest is read and dropped so the program never blocks on a full pipe.
    static let outputCap = 64 * 1024

    /// Runs `path` with `arguments` (`arguments[0]` is the program's own name) and `environment`.
    static func run(path: String, arguments: [String], environment: [String: String], input: [UInt8], timeout: Double) throws(MailError)
        -> ChildProcess
    {
        let shown = (path as NSString).lastPathComponent.terminalSafe
        let stdinPipe = try makePipe()
        let stdoutPipe = try makePipe()
        let stderrPipe: (read: Int32, write: Int32)
        do {
            stderrPipe = try makePipe()
        } catch {
            closeAll([stdinPipe.read, stdinPipe.write, stdoutPipe.read, stdoutPipe.write])
            throw error
        }
        var parentEnds = [stdinPipe.write, stdoutPipe.read, stderrPipe.read]
        var childEnds = [stdoutPipe.write, stderrPipe.write]
        // This process keeps the read end of the program's input: a program that exits without reading leaves
        // its bytes in the pipe, which a read here finds whatever the message's size (with the read end closed,
        // a message smaller than the pipe's buffer would be written in full and look taken).
        let inputProbe = stdinPipe.read
        defer { closeAll(parentEnds + childEnds + [inputProbe]) }

        let pid: pid_t
        do {
            pid = try spawn(
                path: path, arguments: arguments, environment: environment, stdin: stdinPipe.read, stdout: stdoutPipe.write, stderr: stderrPipe.write)
        } catch {
            throw spawnError(error, shown: shown)
        }
        closeAll(childEnds)
        childEnds = []
        // Not the probe: it shares its open file description with the program's standard input, and
        // O_NONBLOCK there would make the program's reads fail with EAGAIN.
        for fd in parentEnds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }

        // EPIPE instead of SIGPIPE while writing to a program that stopped reading: block SIGPIPE in this
        // thread only, and consume a pending one before the old mask comes back.
        var pipeSet = sigset_t()
        sigemptyset(&pipeSet)
        sigaddset(&pipeSet, SIGPIPE)
        var oldMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSet, &oldMask)
        defer {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 && sigismember(&oldMask, SIGPIPE) == 0 {
                var caught: Int32 = 0
                sigwait(&pipeSet, &caught)
            }
            pthread_sigmask(SIG_SETMASK, &oldMask, nil)
        }

        var result = ChildProcess(ending: .exited(0), standardOutput: [], standardError: [], inputLeftUnread: false, inputFullyWritten: input.isEmpty)
        var written = 0
        var stdinFD: Int32? = stdinPipe.write
        var outFD: Int32? = stdoutPipe.read
        var errFD: Int32? = stderrPipe.read
        if input.isEmpty, let fd = stdinFD {
            close(fd)
            stdinFD = nil
        }
        parentEnds = []  // closed below as each stream ends
        defer { closeAll([stdinFD, outFD, errFD].compactMap { $0 }) }

        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64((timeout * 1000).rounded()))
        var exitedAt: ContinuousClock.Instant?
        var status: Int32 = 0
        var buffer = [UInt8](repeating: 0, count: 65536)

        while true {
            if exitedAt == nil {
                let r = waitpid(pid, &status, WNOHANG)
                if r == pid { exitedAt = clock.now }
            }
            if let exitedAt {
                // Output still open after the exit belongs to a descendant: wait for it a moment, no longer.
                if (outFD == nil && errFD == nil) || clock.now - exitedAt > .seconds(1) { break }
            } else if clock.now >= deadline {
                let signal = stop(pid, status: &status)
                result.ending = .timedOut(signal)
                result.inputLeftUnread = written < input.count || hasUnreadBytes(inputProbe)
                return result
            }

            var fds: [pollfd] = []
            if let fd = stdinFD { fds.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)) }
            if let fd = outFD { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if let fd = errFD { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if fds.isEmpty {
                usleep(10_000)
                continue
            }
            let ready = poll(&fds, nfds_t(fds.count), 20)
            if ready <= 0 { continue }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdinFD {
                    let count = min(65536, input.count - written)
                    let n = input.withUnsafeBytes { raw in write(entry.fd, raw.baseAddress.map { $0 + written }, count) }
                    if n > 0 {
                        written += n
                        if written == input.count {
                            result.inputFullyWritten = true
                            close(entry.fd)
                            stdinFD = nil
                        }
                    } else if n < 0 && errno != EAGAIN && errno != EINTR {
                        close(entry.fd)  // cannot happen while the read end is held here; stop writing all the same
                        stdinFD = nil
                    }
                } else {
                    let n = read(entry.fd, &buffer, buffer.count)
                    if n > 0 {
                        if entry.fd == outFD {
                            result.standardOutput += buffer[0..<min(n, max(0, outputCap - result.standardOutput.count))]
                        } else {
                            result.standardError += buffer[0..<min(n, max(0, outputCap - result.standardError.count))]
                        }
                    } else if n == 0 || (errno != EAGAIN && errno != EINTR) {
                        close(entry.fd)
                        if entry.fd == outFD { outFD = nil } else { errFD = nil }
                    }
                }
            }
        }
        let code = status & 0x7F
        result.ending = code == 0 ? .exited((status >> 8) & 0xFF) : .signalled(code)
        result.inputLeftUnread = written < input.count || hasUnreadBytes(inputProbe)
        return result
    }

    /// Whether bytes are still waiting in the pipe whose read end is `fd` (non-blocking): one byte is taken to
    /// find out, which is harmless once the program is gone.
    private static func hasUnreadBytes(_ fd: Int32) -> Bool {
        // poll, not read: the descriptor stays blocking (see above), and nothing is taken from the pipe.
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&entry, 1, 0)
            if r < 0 && errno == EINTR { continue }
            return r > 0 && (entry.revents & Int16(POLLIN)) != 0
        }
    }

    /// SIGTERM to the program's process group, SIGKILL two seconds later if it is still there; reaps it.
    private static func stop(_ pid: pid_t, status: inout Int32) -> Int32 {
        kill(-pid, SIGTERM)
        let clock = ContinuousClock()
        let grace = clock.now + .seconds(2)
        while clock.now < grace {
            if waitpid(pid, &status, WNOHANG) == pid { return SIGTERM }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return SIGKILL
    }

    private static func makePipe() throws(MailError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        // pipe2 is not visible to Swift on glibc; the child closes every descriptor above 2 anyway.
        let r = pipe(&fds)
        if r == 0 {
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        }
        guard r == 0 else { throw MailError(.spawnFailed, "cannot create a pipe for the mail command: \(String(cString: strerror(errno)))") }
        return (fds[0], fds[1])
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    /// `posix_spawn` with the pipes on 0, 1 and 2, every other descriptor closed, a new process group,
    /// an empty signal mask and default dispositions. Returns the errno of a failure as the thrown code.
    private static func spawn(path: String, arguments: [String], environment: [String: String], stdin: Int32, stdout: Int32, stderr: Int32)
        throws(SpawnFailure) -> pid_t
    {
        #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        #if canImport(Glibc)
            closeInheritedDescriptors(&actions, keeping: [stdin, stdout, stderr])
        #endif

        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnFailure(code: rc) }
        return pid
    }

    struct SpawnFailure: Error { var code: Int32 }

    #if canImport(Glibc)
        private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

        /// Makes the child close every descriptor above 2 (a store's database file, sockets) that is not
        /// close-on-exec: glibc 2.34's `posix_spawn_file_actions_addclosefrom_np` (looked up at run time,
        /// as Swift does not see it), else one close action per such descriptor listed in /proc/self/fd.
        private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t, keeping: [Int32]) {
            let program = dlopen(nil, RTLD_NOW)
            defer { if let program { dlclose(program) } }
            if let symbol = dlsym(program, "posix_spawn_file_actions_addclosefrom_np") {
                let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
                if closeFrom(&actions, 3) == 0 { return }
            }
            let listed = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in listed.compactMap(Int32.init) where fd > 2 && !keeping.contains(fd) {
                let flags = fcntl(fd, F_GETFD)
                if flags >= 0 && flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, fd) }
            }
        }
    #endif

    private static func spawnError(_ failure: SpawnFailure, shown: String) -> MailError {
        let reason = String(cString: strerror(failure.code))
        switch failure.code {
        case ENOENT, EACCES, ENOTDIR:
            return MailError(.commandNotFound, "the mail command \(shown) cannot be run: \(reason)")
        case ENOEXEC:
            return MailError(.commandNotFound, "the mail command \(shown) is not a program this system can run (a script needs a #! line)")
        default:
            return MailError(.spawnFailed, "the mail command \(shown) could not be started: \(reason)")
        }
    }
}
