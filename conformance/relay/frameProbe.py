#!/usr/bin/env python3
"""Timestamped test frames for checking the relay (test/lab/relay.test.ts).

  frameProbe.py send IFACE COUNT INTERVAL_MS   sends COUNT frames (EtherType 0x88B5, local
                                               experimental), each carrying its sequence number
                                               and CLOCK_REALTIME send time in ns
  frameProbe.py receive IFACE IDLE_S           prints one JSON line once IDLE_S pass without a
                                               frame: {"frames": [[seq, one_way_ns], ...]}, the
                                               one-way time from the send time to the kernel
                                               receive timestamp (SO_TIMESTAMPNS)

The send time is read just before send(), so one-way times include some tens of us of the
sender's own overhead.
"""
import json
import socket
import struct
import sys
import time

ETHERTYPE = 0x88B5
SO_TIMESTAMPNS = 35
PAYLOAD = struct.Struct("!Iq")
TIMESPEC = struct.Struct("qq")


def send(ifname, count, interval_ms):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
    s.bind((ifname, ETHERTYPE))
    header = b"\xff\xff\xff\xff\xff\xff" + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", ETHERTYPE)
    for seq in range(count):
        s.send(header + PAYLOAD.pack(seq, time.time_ns()) + b"\0" * 34)
        time.sleep(interval_ms / 1000)


def receive(ifname, idle_s):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHERTYPE))
    s.bind((ifname, ETHERTYPE))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.settimeout(idle_s)
    print(json.dumps({"ready": True}), flush=True)
    frames = []
    try:
        while True:
            data, ancillary, _flags, _addr = s.recvmsg(2048, socket.CMSG_SPACE(TIMESPEC.size))
            received = None
            for level, kind, cdata in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    sec, nsec = TIMESPEC.unpack_from(cdata)
                    received = sec * 1_000_000_000 + nsec
            if received is None or len(data) < 14 + PAYLOAD.size:
                continue
            seq, sent = PAYLOAD.unpack_from(data, 14)
            frames.append([seq, received - sent])
    except socket.timeout:
        pass
    print(json.dumps({"frames": frames}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "receive":
        receive(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(__doc__)
