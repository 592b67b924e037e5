#!/usr/bin/env python3
"""report-check.py - checks of `spanwatch report` output and its rendering.

  report-check.py html REPORT.html RISK.json [--events EVENTS.json]
                  [--internet INTERNET.json] [--hostile]
      Parses the report with html.parser: every element closed in order,
      every table row as wide as its table's header, no external URL in any
      src/href/xlink:href/url(), no script, the summary's numbers equal to
      `spanwatch risk --json`, every flagged asset in the Cybercheck section
      with its maker and country; with --events, the events per kind equal to
      `spanwatch events --json`; with --internet, every asset of `spanwatch
      internet --json` in the internet section with each owner it talks
      to or is reached from.  --hostile: the hostile strings the test
      planted appear as text, never as markup, and no string is longer than
      a cell allows.
  report-check.py dom DOM.html
      The DOM chromium built (--dump-dom): the sections and the map's SVG.
  report-check.py png SCREENSHOT.png
      The screenshot is not blank: enough distinct, non-white pixels.
  report-check.py pngsize FILE.png
      FILE is a PNG of at least 100x100 pixels.
Exit status 0 when every check passes; each failure is printed.
"""
import json
import re
import struct
import sys
import zlib
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
SECTIONS = ["cover", "method", "summary", "cybercheck", "changes", "internet", "map", "inventory"]
URL_ATTRS = {"src", "href", "xlink:href", "action", "data", "poster", "srcset"}
failures = []


def fail(msg):
    failures.append(msg)


class Report(HTMLParser):
    """Element tree checks, tables, and the text of each element by id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.tables = []        # per open table: {"header": n or None, "rows": [n...]}
        self.row = None
        self.ids = {}
        self.text_by_id = {}    # id -> text gathered inside
        self.open_ids = []      # (id, depth)
        self.cell = None        # attrs of the open cell
        self.cells = []         # every cell's text
        self.summary = {}
        self.countries = {}
        self.kinds = {}
        self.scripts = 0
        self.in_svg = 0
        self.data_attr = None
        self.links_by_id = {}   # id -> asset ids linked from inside it

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if v is None:
                continue
            if k in URL_ATTRS and not v.startswith("#"):
                fail(f"external or non-fragment URL in <{tag} {k}={v!r}>")
            if re.search(r"url\(\s*['\"]?(?!#)", v):
                fail(f"url() in <{tag} {k}>: {v[:80]!r}")
            if k.startswith("on"):
                fail(f"event handler attribute {k} on <{tag}>")
        if tag in ("script", "iframe", "object", "embed", "link", "img", "base"):
            fail(f"<{tag}> element in the report")
            self.scripts += 1
        if tag == "svg":
            self.in_svg += 1
        if tag not in VOID:
            self.stack.append(tag)
        m = re.match(r"#asset-(\d+)$", a.get("href") or "")
        if tag == "a" and m:
            for i, _ in self.open_ids:
                self.links_by_id.setdefault(i, set()).add(int(m.group(1)))
        if "id" in a:
            if a["id"] in self.ids:
                fail(f"duplicate id {a['id']!r}")
            self.ids[a["id"]] = tag
            self.text_by_id[a["id"]] = []
            self.open_ids.append((a["id"], len(self.stack)))
        if tag == "table":
            self.tables.append({"header": None, "rows": []})
        elif tag == "tr":
            if not self.tables:
                fail("<tr> outside a table")
            self.row = 0
        elif tag in ("td", "th"):
            if self.row is None:
                fail(f"<{tag}> outside a row")
            else:
                self.row += int(a.get("colspan", "1"))
            self.cell = []
            self.data_attr = (a.get("data-summary"), a.get("data-country"), a.get("data-kind"))

    def handle_startendtag(self, tag, attrs):
        # <rect .../> in SVG, <br/>: no content, nothing to close.
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            fail(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        while self.open_ids and self.open_ids[-1][1] > len(self.stack):
            self.open_ids.pop()
        if tag == "svg":
            self.in_svg -= 1
        if tag in ("td", "th") and self.cell is not None:
            text = "".join(self.cell).strip()
            self.cells.append(text)
            if self.data_attr and self.data_attr[0]:
                self.summary[self.data_attr[0]] = int(text)
            if self.data_attr and self.data_attr[1]:
                self.countries[self.data_attr[1]] = int(text)
            if self.data_attr and self.data_attr[2]:
                self.kinds[self.data_attr[2]] = int(text)
            self.cell = None
        elif tag == "tr" and self.tables and self.row is not None:
            t = self.tables[-1]
            if t["header"] is None:
                t["header"] = self.row
            elif self.row != t["header"]:
                fail(f"a table row has {self.row} cells, its header {t['header']}")
            self.row = None
        elif tag == "table":
            self.tables.pop()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        for i, _ in self.open_ids:
            self.text_by_id[i].append(data)


def check_events(p, events_path):
    """The events per kind in the report equal `spanwatch events --json`."""
    want = {}
    for e in json.load(open(events_path)):
        want[e["kind"]] = want.get(e["kind"], 0) + 1
    if p.kinds != want:
        fail(f"events per kind: report {p.kinds}, events --json {want}")
    ops = "".join(p.text_by_id.get("changes", []))
    if want.get("operation") and "No operation seen" in ops:
        fail("events --json has operations, the report says none was seen")


def owner_of(g):
    """As the report names who runs an address: owner, else AS name, else AS number."""
    return g.get("owner") or g.get("as_name") or (f"AS{g['asn']}" if g.get("asn") else "unknown owner")


def check_internet(p, internet_path):
    """Every asset of `spanwatch internet --json` in #internet, with each owner it talks to."""
    inet = json.load(open(internet_path))
    if not inet:
        fail("internet --json lists no asset: the test needs some")
    text = "".join(p.text_by_id.get("internet", []))
    links = p.links_by_id.get("internet", set())
    for a in inet:
        if a["id"] not in links:
            fail(f"asset {a['id']} talks to the internet but is not in #internet")
        for g in a["destinations"] + a["exposure"]:
            if owner_of(g)[:60] not in text:
                fail(f"asset {a['id']}: owner {owner_of(g)!r} not in #internet")


def check_html(path, risk_path, hostile, events_path=None, internet_path=None):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    risk = json.load(open(risk_path))
    p = Report()
    p.feed(text)
    p.close()
    if p.stack:
        fail(f"unclosed elements at the end: {p.stack}")
    for s in SECTIONS:
        if s not in p.ids:
            fail(f"section #{s} missing")
    if re.search(r"(?i)@import|@font-face|https?://[^\s\"'<>]*\.(css|js|woff2?|ttf|png|jpe?g|gif|svg)\b", text):
        fail("a reference to an external style, script, font or image")
    summ = risk["summary"]
    want = {"assets": summ["assets"], "accepted": summ["accepted"],
            "not_evaluated": summ["not_evaluated"], **summ["levels"]}
    for k, v in want.items():
        if p.summary.get(k) != v:
            fail(f"summary {k}: report {p.summary.get(k)}, risk --json {v}")
    wantc = {(c["country"] or "unknown"): c["assets"] for c in summ["countries"]}
    if p.countries != wantc:
        fail(f"countries: report {p.countries}, risk --json {wantc}")
    check_flagged(p, risk)
    if events_path:
        check_events(p, events_path)
    if internet_path:
        check_internet(p, internet_path)
    if hostile:
        check_hostile(p, text)
    return p


def check_flagged(p, risk):
    cyber = "".join(p.text_by_id.get("cybercheck", []))
    flagged = [a for a in risk["assets"] if a["level"] in ("high", "elevated")]
    if not flagged:
        fail("risk --json lists no flagged asset: the test needs some")
    for a in flagged:
        blocks = [i for i in p.ids if i.startswith("product-")
                  and a["id"] in p.links_by_id.get(i, set())]
        row = "".join(p.text_by_id.get(f"asset-{a['id']}", []))
        if not row:
            fail(f"flagged asset {a['id']} not in the inventory")
        maker, country = a["vendor"] or a["oui_vendor"], a["country"] or a["oui_country"]
        found = False
        for b in blocks:
            t = "".join(p.text_by_id[b])
            if (maker is None or maker[:60] in t) and (country is None or country in t):
                found = True
        if not found:
            fail(f"flagged asset {a['id']} ({maker}, {country}) has no Cybercheck block "
                 "naming its maker and country")
        if maker and maker[:60] not in cyber:
            fail(f"maker {maker!r} of asset {a['id']} not in the Cybercheck section")


def check_hostile(p, text):
    alltext = "\n".join(p.cells)
    if "<script>alert(1)</script>" not in alltext:
        fail("the planted <script> string is not shown as text")
    if "\u202e" in text:
        fail("a raw U+202E (right-to-left override) reached the HTML")
    if "\\u202E" not in alltext:
        fail("the U+202E override is not shown as the visible text \\u202E")
    if p.scripts:
        fail("markup from a device string became an element")
    longest = max((len(c) for c in p.cells), default=0)
    if longest > 4000:
        fail(f"a cell of {longest} characters: the 10 kB name was not cut")
    if "\"'><b>x</b>" in text:
        fail("quotes and markup of a device string are not escaped")


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.svg_in_map = 0
        self.stack_ids = []
        self.nodes = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "section" and a.get("id") == "map":
            self.stack_ids.append("map")
        if tag == "svg" and "map" in self.stack_ids:
            self.svg_in_map += 1
        if tag == "g" and (a.get("class") or "").startswith("node"):
            self.nodes += 1

    def handle_endtag(self, tag):
        if tag == "section" and self.stack_ids:
            self.stack_ids.pop()


def check_dom(path, kind):
    d = Dom()
    d.feed(open(path, encoding="utf-8", errors="replace").read())
    if kind == "report":
        for s in SECTIONS:
            if s not in d.ids:
                fail(f"the browser's DOM has no #{s}")
        if d.svg_in_map == 0:
            fail("the browser's DOM has no SVG in #map")
        for c in ("chart-levels", "chart-countries", "chart-kinds", "chart-zones"):
            if c not in d.ids:
                fail(f"the browser's DOM has no chart #{c}")
    if d.nodes == 0:
        fail("the browser's DOM has no map node (<g class=\"node\">)")


def png_pixels(path):
    """Decode an 8-bit RGB/RGBA PNG (what chromium writes) into rows of bytes."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError(f"PNG depth {depth} colour type {ctype}")
            bpp = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    i = 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pr) & 255
        rows.append((line, bpp))
        prev = line
    return w, h, rows


def check_png(path):
    w, h, rows = png_pixels(path)
    colours, ink = set(), 0
    for line, bpp in rows[::4]:
        for x in range(0, w * bpp, bpp * 4):
            px = bytes(line[x:x + 3])
            colours.add(px)
            if sum(px) < 600:
                ink += 1
    sampled = len(rows[::4]) * len(range(0, w * bpp, bpp * 4))
    if ink < sampled * 0.005 or len(colours) < 8:
        fail(f"{path}: looks blank ({ink} of {sampled} sampled pixels inked, "
             f"{len(colours)} colours)")
    return ink, sampled, len(colours)


def main(argv):
    if len(argv) >= 4 and argv[1] == "html":
        ev = argv[argv.index("--events") + 1] if "--events" in argv else None
        inet = argv[argv.index("--internet") + 1] if "--internet" in argv else None
        check_html(argv[2], argv[3], "--hostile" in argv[4:], ev, inet)
    elif len(argv) == 4 and argv[1] == "dom":
        check_dom(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "pngsize":
        data = open(argv[2], "rb").read(24)
        w, h = struct.unpack(">II", data[16:24]) if data[:8] == b"\x89PNG\r\n\x1a\n" else (0, 0)
        if w < 100 or h < 100:
            fail(f"{argv[2]}: not a PNG picture ({w}x{h})")
    elif len(argv) == 3 and argv[1] == "png":
        ink, sampled, colours = check_png(argv[2])
        print(f"{argv[2]}: {ink}/{sampled} sampled pixels inked, {colours} colours")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
