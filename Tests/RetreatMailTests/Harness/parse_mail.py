"""Parses received messages with Python's own email package (an independent MIME parser).

usage: parse_mail.py FILE.eml...

Prints a JSON list, one object per file: the decoded headers, the envelope from FILE.json, every
MIME part (content type, parameters, decoded text), the parser's defects, and writes each calendar
part's exact bytes next to the message as FILE.part<N>.ics for the iCalendar validator.
"""
import email
import email.policy
import email.utils
import json
import os
import sys


def part_info(part, base, index):
    info = {
        "content_type": part.get_content_type(),
        "params": {k.lower(): v for k, v in part.get_params(header="content-type") or [] if k.lower() != part.get_content_type()},
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "transfer_encoding": (part.get("Content-Transfer-Encoding") or "").lower(),
        "defects": [type(d).__name__ for d in part.defects],
    }
    if part.is_multipart():
        info["children"] = [p.get_content_type() for p in part.iter_parts()]
        return info
    raw = part.get_payload(decode=True)
    if part.get_content_type() == "text/plain":
        info["text"] = part.get_content()
    else:
        path = "%s.part%d.ics" % (base, index)
        with open(path, "wb") as f:
            f.write(raw)
        info["file"] = path
        info["text"] = raw.decode("utf-8")
    return info


def parse(path):
    with open(path, "rb") as f:
        data = f.read()
    base = path[: -len(".eml")]
    msg = email.message_from_bytes(data, policy=email.policy.default)
    envelope = {}
    if os.path.exists(base + ".json"):
        with open(base + ".json") as f:
            envelope = json.load(f)
    headers = {}
    for name in msg.keys():
        headers.setdefault(name, []).extend(str(v) for v in msg.get_all(name))

    def mailboxes(name):
        value = msg.get(name)
        if value is None:
            return []
        return [{"name": a.display_name, "address": a.addr_spec} for a in value.addresses]

    date = msg.get("Date")
    return {
        "file": path,
        "envelope": envelope,
        "header_names": list(msg.keys()),
        "headers": headers,
        "from": mailboxes("From"),
        "to": mailboxes("To"),
        "reply_to": mailboxes("Reply-To"),
        "subject": str(msg.get("Subject", "")),
        "date_epoch": date.datetime.timestamp() if date is not None and date.datetime is not None else None,
        "message_id": str(msg.get("Message-ID", "")),
        "mime_version": str(msg.get("MIME-Version", "")),
        "content_type": msg.get_content_type(),
        "defects": [type(d).__name__ for d in msg.defects],
        "parts": [part_info(p, base, i) for i, p in enumerate(msg.walk())],
        "raw_has_bare_lf": b"\n" in data.replace(b"\r\n", b""),
        "max_line_octets": max(len(line) for line in data.split(b"\r\n")),
    }


if __name__ == "__main__":
    print(json.dumps([parse(p) for p in sys.argv[1:]], ensure_ascii=False))
