"""monitor - talk to QEMU's human monitor (HMP) on a unix socket.

run.py --monitor SOCK adds the socket; tests use it for `screendump`.
"""
import socket
import time

PROMPT = b"(qemu) "


class MonitorError(Exception):
    pass


class Monitor:
    def __init__(self, path, timeout=10.0):
        self.sock = self._connect(path, timeout)
        self.sock.settimeout(timeout)
        self._read_until_prompt()        # banner

    @staticmethod
    def _connect(path, timeout):
        # QEMU creates the socket a moment after it starts; retry until then.
        deadline = time.monotonic() + timeout
        while True:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(path)
                return s
            except OSError as e:
                s.close()
                if time.monotonic() >= deadline:
                    raise MonitorError(f"cannot connect to monitor {path}: {e}")
                time.sleep(0.1)

    def _read_until_prompt(self):
        buf = b""
        while not buf.endswith(PROMPT):
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                raise MonitorError("monitor did not answer") from None
            if not chunk:
                break
            buf += chunk
        return buf.decode("utf-8", errors="replace")

    def command(self, cmd):
        """Run one HMP command and return its output (echo and prompt kept)."""
        self.sock.sendall(cmd.encode() + b"\n")
        if cmd.strip() == "quit":
            # Closing the socket at once can drop the unread command; wait
            # for QEMU to close its end as it exits.
            self._read_until_prompt()
            return ""
        return self._read_until_prompt()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
