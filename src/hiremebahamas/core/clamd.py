"""A client for clamd, ClamAV's scanning daemon: INSTREAM (scan what we send) and VERSION.

Written here rather than taken from PyPI: aioclamd speaks TCP only (no Unix socket, the usual
way clamd runs beside an app), reads a blocking file object through a thread hop per 1 KB
chunk, and cannot take the async chunks a stored file is read in (S3); clamav-client blocks
the event loop and is GPL-2.0. The protocol is small: `zINSTREAM\\0`, then each chunk preceded
by its length as 4 bytes big-endian, a zero length to end, and one reply: `stream: OK`,
`stream: <signature> FOUND`, or `<reason> ERROR`. Chunks go out one at a time, so a stored
file is never held whole in memory on its way to clamd.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

import anyio

from hiremebahamas.config import ClamdAddress, Settings

CHUNK_SIZE = 64 * 1024
_END = struct.pack("!L", 0)
# clamd's replies are one short line; a peer that sends more is not clamd.
_MAX_REPLY = 4096


class ClamdUnavailable(Exception):
    """clamd could not be reached, did not answer within the timeout, or answered an error."""


@dataclass(frozen=True)
class Clamd:
    address: ClamdAddress
    timeout: float

    async def version(self) -> str:
        """clamd's version and its signature database's (`ClamAV 1.4.6/27473/Mon Dec  1 ...`):
        it changes whenever freshclam brings new signatures."""
        return await self._call(b"zVERSION\0", None)

    async def scan(self, content: bytes | AsyncIterable[bytes]) -> str | None:
        """The name of the signature `content` matches, or None when it matches none."""
        reply = await self._call(b"zINSTREAM\0", _chunks(content))
        if reply == "stream: OK":
            return None
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return reply[len("stream: ") : -len(" FOUND")]
        raise ClamdUnavailable(f"clamd at {self.address} answered {reply[:200]!r}")

    async def _call(self, command: bytes, chunks: AsyncIterator[bytes] | None) -> str:
        try:
            with anyio.fail_after(self.timeout):
                reader, writer = await self._connect()
                try:
                    writer.write(command)
                    if chunks is not None:
                        await _send(writer, chunks)
                    await writer.drain()
                    reply = await _reply(reader)
                finally:
                    writer.close()
                    with contextlib.suppress(OSError):
                        await writer.wait_closed()
        except TimeoutError as exc:
            raise ClamdUnavailable(f"clamd at {self.address} did not answer within {self.timeout:g} s") from exc
        except OSError as exc:
            raise ClamdUnavailable(f"clamd at {self.address} cannot be reached: {exc}") from exc
        text = reply.rstrip(b"\0\n").decode("utf-8", "replace")
        if not text:
            raise ClamdUnavailable(f"clamd at {self.address} closed the connection without answering")
        return text

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.address.path:
            return await asyncio.open_unix_connection(self.address.path)
        return await asyncio.open_connection(self.address.host, self.address.port)


async def _send(writer: asyncio.StreamWriter, chunks: AsyncIterator[bytes]) -> None:
    try:
        async for chunk in chunks:
            if chunk:
                writer.write(struct.pack("!L", len(chunk)))
                writer.write(chunk)
                await writer.drain()  # one chunk in flight: memory stays at one chunk
    except (BrokenPipeError, ConnectionResetError):
        # clamd stops reading past its StreamMaxLength and says why before closing: the reply
        # is read all the same.
        return
    writer.write(_END)


async def _reply(reader: asyncio.StreamReader) -> bytes:
    reply = b""
    while len(reply) <= _MAX_REPLY and (part := await reader.read(_MAX_REPLY)):
        reply += part
    return reply


async def _chunks(content: bytes | AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    if isinstance(content, bytes):
        view = memoryview(content)  # one chunk copied at a time, not the whole file again
        for start in range(0, len(view), CHUNK_SIZE):
            yield bytes(view[start : start + CHUNK_SIZE])
        return
    async for chunk in content:
        yield chunk


def create_clamd(settings: Settings) -> Clamd | None:
    """The scanner CLAMAV_URL names, or None when uploads are not scanned."""
    address = settings.clamav_address
    return Clamd(address, settings.clamav_timeout_seconds) if address is not None else None
