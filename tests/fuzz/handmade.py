#!/usr/bin/env python3
"""handmade.py - seeds for what no shared capture carries, written at fuzz
time by tests/fuzz/run.sh (nothing binary is committed):

  handmade.py <target> <outdir>

goose, opcua: messages built as in tests/test_goose.c and tests/test_opcua.c,
in fuzz_dissector.c's chunk format; ctl: requests in fuzz_ctl.c's format;
store: a plant's observations in fuzz_store.c's format.
"""
import os
import struct
import sys


def chunk(direction, payload):
    return bytes([direction]) + struct.pack(">H", len(payload)) + payload


def tlv(tag, value):
    if len(value) < 128:
        return bytes([tag, len(value)]) + value
    return bytes([tag, 0x81, len(value)]) + value


def goose(gocb=b"IED1LD0/LLN0$GO$gcbTrip", simulation=1):
    pdu = (tlv(0x80, gocb) + tlv(0x81, b"\x07\xd0") + tlv(0x82, b"IED1LD0/LLN0$DS_Trip")
           + tlv(0x83, b"IED1_Trip") + tlv(0x84, bytes(8)) + tlv(0x85, b"\x01")
           + tlv(0x86, b"\x01") + tlv(0x87, bytes([simulation])) + tlv(0x88, b"\x01")
           + tlv(0x89, b"\x00") + tlv(0x8a, b"\x02") + tlv(0xab, tlv(0x83, b"\x01") + tlv(0x83, b"\x00")))
    body = tlv(0x61, pdu)
    frame = struct.pack(">HHHH", 1, 8 + len(body), 0, 0) + body
    return frame + bytes(max(0, 46 - len(frame)))


def ua_str(s):
    if s is None:
        return struct.pack("<I", 0xffffffff)
    return struct.pack("<I", len(s)) + s


def ua_chunk(kind, body):
    return kind + struct.pack("<I", len(body) + 8) + body


def der(tag, value):
    if len(value) < 128:
        return bytes([tag, len(value)]) + value
    return bytes([tag, 0x82]) + struct.pack(">H", len(value)) + value


def rdn(at, strtag, v):
    return der(0x31, der(0x30, der(0x06, bytes([0x55, 0x04, at])) + der(strtag, v)))


def certificate():
    alg = der(0x06, b"\x2a\x03\x04")
    subj = rdn(3, 0x0c, b"PLC_1") + rdn(10, 0x13, b"Siemens")
    tbs = (der(0xa0, b"\x02\x01\x02") + der(0x02, b"\x05") + der(0x30, alg)
           + der(0x30, rdn(3, 0x0c, b"Issuer CA")) + der(0x30, b"\x17\x01x\x17\x01y") + der(0x30, subj))
    return der(0x30, der(0x30, tbs) + der(0x30, alg))


def app_description(uri, product, name):
    return (ua_str(uri) + ua_str(product) + b"\x02" + ua_str(name) + struct.pack("<I", 0)
            + ua_str(None) + ua_str(None) + struct.pack("<I", 0xffffffff))


def opcua_hello(url=b"opc.tcp://10.0.0.2:4840"):
    return ua_chunk(b"HELF", struct.pack("<IIIII", 0, 65536, 65536, 0, 0) + ua_str(url))


def opcua_ack():
    return ua_chunk(b"ACKF", struct.pack("<IIIII", 0, 65536, 65536, 0, 0))


def opcua_get_endpoints_response():
    cert = certificate()
    b = struct.pack("<IIII", 1, 1, 2, 2)
    b += b"\x01\x00" + struct.pack("<H", 431)
    b += bytes(8) + struct.pack("<II", 2, 0) + b"\x00" + struct.pack("<I", 0xffffffff) + b"\x00\x00\x00"
    b += struct.pack("<I", 1) + ua_str(b"opc.tcp://10.0.0.2:4840")
    b += app_description(b"urn:SIMATIC.S7-1500.OPC-UA.Application:PLC_1", b"https://www.siemens.com/s7-1500",
                         b"SIMATIC.S7-1500.OPC-UA.Application:PLC_1")
    b += struct.pack("<I", len(cert)) + cert
    b += struct.pack("<I", 1) + ua_str(b"http://opcfoundation.org/UA/SecurityPolicy#None")
    b += struct.pack("<I", 1) + ua_str(b"anonymous") + struct.pack("<I", 0)
    b += ua_str(None) + ua_str(None) + ua_str(None)
    b += ua_str(b"http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary") + b"\x00"
    return ua_chunk(b"MSGF", b)


def ctl(*reads):
    out = b""
    for data, client_reads in reads:
        out += bytes([len(data) | (0x80 if client_reads else 0)]) + data
    return out


def store_plant():
    # op (kind | 0x80 minutes), dt, who, peer, then the kind's operands
    siemens_plc, hmi, cam, router = 0 | 0 << 3, 4 | 5 << 3, 1 | 1 << 3, 2 | 6 << 3
    recs = [
        bytes([1, 1, siemens_plc, 0, 1]),                              # addr, arp
        bytes([1, 0, hmi, 0, 0]),                                      # addr, ip
        bytes([0, 0, siemens_plc, 0, 2, 0, 90, 9]) + b"CPU 315-2",     # fact model modbus/43.14
        bytes([0, 0, cam, 0, 8, 1, 70, 14]) + b"Hikvision-Webs",       # fact software http/server
        bytes([2, 1, siemens_plc, 0, 0, 0, 0, 10, 1, 5]),              # service tcp/502 modbus
        bytes([3, 2, hmi, siemens_plc, 0, 0, 0, 20, 40, 3]),           # peer
        bytes([4, 3, hmi, siemens_plc, 3, 0, 1, 0, 0, 2, 4]) + b"hr 1" + bytes([1]),  # operation
        bytes([5, 0]),                                                 # end of batch
        bytes([1, 0, router, 0, 0]), bytes([1, 0, 2 | 7 << 3, 0, 0]), bytes([1, 0, 2 | 8 << 3, 0, 0]),
        bytes([0x84, 20, hmi, siemens_plc, 3, 1, 1, 0, 0, 2, 0, 0]),   # ten minutes later: the reply
    ]
    return bytes([0]) + b"".join(recs)


def main():
    target, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    seeds = {}
    if target == "goose":
        seeds["frame"] = bytes([0]) + chunk(0, goose())
        seeds["long_gocb"] = bytes([0]) + chunk(0, goose(b"IED2" * 40, 0))
    elif target == "opcua":
        seeds["hello_ack_endpoints"] = bytes([0]) + chunk(0, opcua_hello()) + chunk(1, opcua_ack()) \
            + chunk(1, opcua_get_endpoints_response())
        resp = opcua_get_endpoints_response()
        seeds["endpoints_split"] = bytes([0]) + chunk(0, opcua_hello()) + chunk(1, resp[:40]) + chunk(1, resp[40:])
    elif target == "ctl":
        seeds["status_quit"] = ctl((b"status\n", True), (b"help\r\nquit\n", True))
        seeds["split_line"] = ctl((b"sta", False), (b"tus\r\n\n", True), (b"bogus\n", False))
        seeds["long_line"] = ctl((b"x" * 127, False), (b"x" * 127, False), (b"x" * 10 + b"\n", True))
    elif target == "store":
        seeds["plant"] = store_plant()
        seeds["plant_flood"] = bytes([3]) + store_plant()[1:]
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
