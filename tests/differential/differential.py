#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test of espgen against the upstream tools it replaces.

From a fixed seed, generates random cases per tool and runs both sides:
  mkpart   partition CSVs               esp-mkpart   vs gen_esp32part.py
  mkimage  ELF files and option sets    esp-mkimage  vs esptool elf2image
  mknvs    NVS CSVs                     esp-mknvs    vs nvs_partition_gen generate
  merge    files at addresses           esp-mkflash  vs esptool merge-bin
  info     every image made above, esptool's test/images and the public vector
           images: the facts esp-imginfo --json reports (segments, checksum and hash
           validity, app and bootloader descriptors) vs esptool image-info
Generators compare accept/reject and the output bytes; image-info compares facts.

The upstream tools are not part of espgen and nothing here builds them: give the
directories of trees you have (e.g. brought with `git archive` from clones):
  --esptool DIR   esptool v5.3.1 (python3 -m esptool runs from it; Debian packages
                  python3-click python3-rich-click python3-intelhex python3-bitstring
                  python3-serial python3-ecdsa python3-cryptography)
  --idf DIR       ESP-IDF (components/partition_table/gen_esp32part.py)
  --nvsgen DIR    esp-idf-nvs-partition-gen 0.2.0
or ESPTOOL_DIR / IDF_DIR / NVSGEN_DIR. A tool whose upstream is missing is skipped
with the reason printed; with none, the script exits 77 (CTest's skip).

  differential.py --bin build/bin --tests-bin build/tests [--count N] [--seed S]
                  [--only mkpart,mkimage,mknvs,merge,info] [--keep DIR]

--count is the number of cases per generator (default 200). Failures are printed
with the case's input kept under --keep (default: a temporary directory, removed).
Exit 0 when every case agrees, 1 otherwise. tests/differential/RESULTS.md records runs.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

PY = {}  # upstream tree -> the Python that runs it (see main)


class Ctx:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.bin = os.path.abspath(args.bin)
        self.mkelf = os.path.join(os.path.abspath(args.tests_bin), "mkelf")
        self.fails = []
        self.accepted = {}  # per generator: cases both sides accepted (the rest both refused)
        self.counts = {}
        self.images = []  # app and bootloader images for the info step
        # esp-mkflash --format (hex, uf2) where this build has it
        self.formats = b"uf2" in self.run([self.bin + "/esp-mkflash", "--help"])[1]

    def run(self, cmd, env=None, cwd=None):
        e = dict(os.environ, LC_ALL="C.UTF-8")
        if env:
            e.update(env)
        p = subprocess.run(cmd, cwd=cwd or self.work, env=e, capture_output=True)
        return p.returncode, p.stdout, p.stderr

    def esptool(self, *argv):
        return self.run([PY["esptool"], "-m", "esptool", *argv],
                        env={"PYTHONPATH": self.args.esptool})

    def tally(self, tool, ok, what, case_dir=None):
        n, f = self.counts.get(tool, (0, 0))
        self.counts[tool] = (n + 1, f + (0 if ok else 1))
        if not ok:
            kept = ""
            if case_dir and self.args.keep:
                dst = os.path.join(self.args.keep, os.path.basename(case_dir))
                shutil.rmtree(dst, ignore_errors=True)
                shutil.copytree(case_dir, dst)
                kept = " (kept in %s)" % dst
            self.fails.append("%s: %s%s" % (tool, what, kept))
            print("DIFF %s: %s%s" % (tool, what, kept))


def same_file(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def compare_gen(c, tool, case, ours, theirs, out_ours, out_theirs):
    """Both reject, or both accept with the same bytes."""
    (rc1, _, err1), (rc2, _, err2) = ours, theirs
    ok1 = rc1 == 0 and os.path.exists(out_ours)
    ok2 = rc2 == 0 and os.path.exists(out_theirs) and os.path.getsize(out_theirs) > 0
    if ok1 != ok2:
        c.tally(tool, False, "%s: espgen %s, upstream %s (%s)" % (
            os.path.basename(case), "accepts" if ok1 else "rejects",
            "accepts" if ok2 else "rejects",
            (err1 if not ok1 else err2).decode(errors="replace").strip()[-200:]), case)
    elif ok1 and not same_file(out_ours, out_theirs):
        c.tally(tool, False, "%s: output bytes differ" % os.path.basename(case), case)
    else:
        c.tally(tool, True, "")
        if ok1:
            c.accepted[tool] = c.accepted.get(tool, 0) + 1
    return ok1 and ok2


# ---- mkpart ----

SUBTYPES = {
    "app": ["factory", "ota_0", "ota_1", "ota_2", "test", "0x20"],
    "data": ["nvs", "ota", "phy", "coredump", "nvs_keys", "efuse", "fat", "spiffs",
             "littlefs", "undefined", "0x40"],
    "0x40": ["0x00", "0x01", "0x7f"],
}


def gen_layout(r):
    rows = ["# Name, Type, SubType, Offset, Size, Flags"]
    n = r.randint(1, 8)
    used = set()
    for i in range(n):
        t = r.choice(["app", "data", "data", "0x40"])
        st = r.choice(SUBTYPES[t])
        name = r.choice(["nvs", "otadata", "phy_init", "factory", "ota_0", "ota_1",
                         "storage", "fs", "coredump", "keys", "p%d" % i])
        if name in used and r.random() < 0.8:
            name = "p%d" % i
        used.add(name)
        unit = r.choice(["K", "K", "M", "", "0x"])
        if unit == "K":
            size = "%dK" % (4 * r.randint(1, 64))
        elif unit == "M":
            size = "%dM" % r.randint(1, 2)
        elif unit == "0x":
            size = "0x%x" % (0x1000 * r.randint(1, 64) + (r.random() < 0.1) * 0x10)
        else:
            size = str(4096 * r.randint(1, 16))
        off = ""
        if r.random() < 0.25:
            off = "0x%x" % (0x9000 + 0x1000 * r.randint(0, 300))
        flags = r.choice(["", "", "", "encrypted", "readonly", "encrypted:readonly"])
        rows.append(", ".join([name, t, st, off, size, flags]))
    return "\n".join(rows) + "\n"


def do_mkpart(c, r, i):
    d = os.path.join(c.work, "mkpart-%04d" % i)
    os.makedirs(d)
    csv = os.path.join(d, "p.csv")
    with open(csv, "w") as f:
        f.write(gen_layout(r))
    gen = os.path.join(c.args.idf, "components/partition_table/gen_esp32part.py")
    a = c.run([c.bin + "/esp-mkpart", csv, "-o", d + "/ours.bin"])
    b = c.run([PY["idf"], gen, "-q", csv, d + "/theirs.bin"])
    compare_gen(c, "mkpart", d, a, b, d + "/ours.bin", d + "/theirs.bin")


# ---- mkimage ----

# per chip: machine, DROM, IROM, IRAM, DRAM addresses (segments placed at their start)
CHIPS = {
    "esp32": ("xtensa", 0x3F400020, 0x400D0020, 0x40080000, 0x3FFB0000),
    "esp32s2": ("xtensa", 0x3F000020, 0x40080020, 0x40022000, 0x3FFB0000),
    "esp32s3": ("xtensa", 0x3C000020, 0x42000020, 0x40374000, 0x3FC88000),
    "esp32c3": ("riscv", 0x3C000020, 0x42000020, 0x40380000, 0x3FC88000),
    "esp32c2": ("riscv", 0x3C000020, 0x42000020, 0x40380000, 0x3FCA0000),
    "esp32c6": ("riscv", 0x42800020, 0x42000020, 0x40800000, 0x40810000),
    "esp32h2": ("riscv", 0x42800020, 0x42000020, 0x40800000, 0x40810000),
}
FREQS = {"esp32c2": ["60m", "30m", "20m", "15m"], "esp32h2": ["48m", "24m", "16m", "12m"],
         "esp32c6": ["80m", "40m", "20m"]}


def gen_elf(c, r, d, chip, boot):
    mach, drom, irom, iram, dram = CHIPS[chip]
    secs = []
    if boot:
        secs.append(".iram_loader.text,0x%x,0x%x" % (iram + 0x4000, r.randint(1, 0x800)))
        content = "bootdesc" if r.random() < 0.5 else "pat"
        secs.append(".dram0.bootdesc,0x%x,0x%x,progbits,16,%s" % (dram, 0x50, content))
    else:
        secs.append(".flash.appdesc,0x%x,0x100,progbits,16,%s" % (
            drom, r.choice(["desc", "desc", "descnul", "desc16"])))
        secs.append(".flash.rodata,0x%x,0x%x" % (drom + 0x100, r.randint(1, 0x3000)))
        secs.append(".flash.text,0x%x,0x%x" % (irom + 0x10000, r.randint(1, 0x3000)))
        if r.random() < 0.7:
            secs.append(".iram0.text,0x%x,0x%x" % (iram, r.randint(1, 0x1000)))
        if r.random() < 0.7:
            secs.append(".dram0.data,0x%x,0x%x" % (dram, r.randint(1, 0x800)))
    cmd = [c.mkelf, d + "/a.elf", "--machine", mach, "--entry", "0x%x" % iram]
    for s in secs:
        cmd += ["--section", s]
    return c.run(cmd)[0] == 0


def gen_mkimage_opts(r, chip, boot):
    o = []
    if r.random() < 0.8:
        o += ["--flash-mode", r.choice(["qio", "qout", "dio", "dout"])]
    if r.random() < 0.8:
        o += ["--flash-freq", r.choice(FREQS.get(chip, ["80m", "40m", "26m", "20m"]))]
    if r.random() < 0.8:
        o += ["--flash-size", r.choice(["1MB", "2MB", "4MB", "8MB", "16MB"])]
    if r.random() < 0.2:
        o += ["--min-rev-full", str(r.choice([0, 1, 3, 100, 101]))]
    if r.random() < 0.2:
        o += ["--max-rev-full", str(r.choice([99, 199, 65535]))]
    if not boot and r.random() < 0.3:
        o += ["--elf-sha256-offset", "0xb0"]
    if r.random() < 0.15:
        o += ["--secure-pad-v2"]
    if r.random() < 0.1:
        o += ["--use-segments"]
    if r.random() < 0.1:
        o += ["--pad-to-size", r.choice(["64KB", "1MB"])]
    return o


def do_mkimage(c, r, i):
    d = os.path.join(c.work, "mkimage-%04d" % i)
    os.makedirs(d)
    chip = r.choice(sorted(CHIPS))
    boot = r.random() < 0.3
    if not gen_elf(c, r, d, chip, boot):
        c.tally("mkimage", False, "%s: mkelf failed" % d, d)
        return
    opts = gen_mkimage_opts(r, chip, boot)
    with open(d + "/cmd.txt", "w") as f:
        f.write("--chip %s %s\n" % (chip, " ".join(opts)))
    a = c.run([c.bin + "/esp-mkimage", "--chip", chip, *opts, d + "/a.elf", "-o", d + "/ours.bin"])
    b = c.esptool("--chip", chip, "elf2image", *opts, d + "/a.elf", "-o", d + "/theirs.bin")
    if compare_gen(c, "mkimage", d, a, b, d + "/ours.bin", d + "/theirs.bin"):
        c.images.append(d + "/ours.bin")


# ---- mknvs ----

INTS = {"u8": (0, 255), "i8": (-128, 127), "u16": (0, 65535), "i16": (-32768, 32767),
        "u32": (0, 2**32 - 1), "i32": (-2**31, 2**31 - 1), "u64": (0, 2**64 - 1),
        "i64": (-2**63, 2**63 - 1)}


def gen_nvs_csv(r):
    rows = ["key,type,encoding,value"]
    for ns in range(r.randint(1, 3)):
        rows.append("ns%d,namespace,," % ns)
        for k in range(r.randint(0, 25)):
            key = "k%d_%d" % (ns, k)
            enc = r.choice(list(INTS) + ["string", "string", "hex2bin", "base64"])
            if enc in INTS:
                lo, hi = INTS[enc]
                v = str(r.choice([lo, hi, r.randint(lo, hi)]))
            elif enc == "string":
                n = r.choice([0, 1, 31, 32, 33, 100, r.randint(0, 3000)])
                v = "".join(r.choice("abcXYZ09 _-.") for _ in range(n))
            elif enc == "hex2bin":
                v = bytes(r.randrange(256) for _ in range(r.choice([0, 1, 32, r.randint(0, 600)]))).hex()
            else:
                import base64
                v = base64.b64encode(bytes(r.randrange(256) for _ in range(r.randint(0, 300)))).decode()
            rows.append("%s,data,%s,%s" % (key, enc, v))
    return "\n".join(rows) + "\n"


def do_mknvs(c, r, i):
    d = os.path.join(c.work, "mknvs-%04d" % i)
    os.makedirs(d)
    with open(d + "/n.csv", "w") as f:
        f.write(gen_nvs_csv(r))
    size = "0x%x" % (0x1000 * r.choice([3, 4, 6, 8, 16]))
    a = c.run([c.bin + "/esp-mknvs", "--size", size, d + "/n.csv", "-o", d + "/ours.bin"])
    b = c.run([PY["nvsgen"], "-m", "esp_idf_nvs_partition_gen", "generate", d + "/n.csv",
               d + "/theirs.bin", size], env={"PYTHONPATH": c.args.nvsgen})
    compare_gen(c, "mknvs", d, a, b, d + "/ours.bin", d + "/theirs.bin")


# ---- merge ----

def do_merge(c, r, i):
    d = os.path.join(c.work, "merge-%04d" % i)
    os.makedirs(d)
    chip = r.choice(["esp32", "esp32c3", "esp32s3", "esp32c6"])
    pairs = []
    addr = 0
    for k in range(r.randint(1, 4)):
        addr += 0x1000 * r.randint(0 if k == 0 else 1, 16)
        name = "f%d.bin" % k
        data = bytes(r.randrange(256) for _ in range(r.randint(1, 9000)))
        if k == 0 and c.images and r.random() < 0.5:
            with open(r.choice(c.images), "rb") as f:
                data = f.read()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        pairs += ["0x%x" % addr, name]
        addr += len(data)
    opts = []
    if r.random() < 0.5:
        opts += ["--flash-mode", r.choice(["qio", "dio", "keep"])]
    if r.random() < 0.5:
        opts += ["--flash-size", r.choice(["2MB", "4MB", "keep"])]
    fmt = r.choice(["raw", "raw", "hex", "uf2"]) if c.formats else "raw"
    if fmt != "raw":
        opts += ["--format", fmt]
    elif r.random() < 0.3:
        opts += ["--pad-to-size", "1MB"]
    a = c.run([c.bin + "/esp-mkflash", "--chip", chip, *opts, *pairs, "-o", "ours.out"], cwd=d)
    b = c.run([PY["esptool"], "-m", "esptool", "--chip", chip, "merge-bin", *opts, "-o", "theirs.out",
               *pairs], env={"PYTHONPATH": c.args.esptool}, cwd=d)
    compare_gen(c, "merge", d, a, b, d + "/ours.out", d + "/theirs.out")


# ---- image-info facts ----

def esptool_facts(text):
    f = {"segments": [], "checksum": None, "hash": None, "app": None, "boot": None}
    sect = None
    for line in text.splitlines():
        m = re.match(r"\s+(\d+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(.*)$", line)
        if m:
            f["segments"].append((int(m[2], 16), int(m[3], 16), int(m[4], 16),
                                  m[5].replace(" ", "")))
            continue
        m = re.match(r"Checksum: 0x[0-9a-f]+ \((valid|invalid)", line)
        if m:
            f["checksum"] = m[1]
        m = re.match(r"Validation hash: [0-9a-f]+ \((valid|invalid)\)", line)
        if m:
            f["hash"] = m[1]
        if line.startswith("Application Information"):
            sect = f["app"] = {}
        elif line.startswith("Bootloader Information"):
            sect = f["boot"] = {}
        elif sect is not None and ": " in line:
            k, v = line.split(": ", 1)
            sect[k] = v
    return f


def text_of(node, key):
    """What esptool prints for a descriptor text: the text and any bytes after the NUL."""
    s = node.get(key, "")
    tail = bytes.fromhex(node.get(key + "_after_nul", "")).replace(b"\0", b"")
    return s + tail.decode("utf-8", errors="replace")


def ours_facts(d):
    f = {"segments": [], "checksum": None, "hash": None, "app": None, "boot": None}
    for s in d.get("segments", []):
        f["segments"].append((s["size"], s["load_address"], s["file_offset"] - 8,
                              s["memory"].upper() if s["memory"] != "unknown" else ""))
    f["checksum"] = d.get("checksum", {}).get("status")
    h = d.get("sha256", {}).get("status")
    f["hash"] = None if h in (None, "none") else ("valid" if h == "valid" else "invalid")
    a = d.get("app_desc")
    if a and "magic" in a:
        f["app"] = {
            "Project name": text_of(a, "project_name"),
            "App version": text_of(a, "version"),
            "Compile time": text_of(a, "date") + " " + text_of(a, "time"),
            "ELF file SHA256": a["app_elf_sha256"],
            "ESP-IDF": text_of(a, "idf_ver"),
            "Minimal eFuse block revision": "%d.%d" % divmod(a["min_efuse_blk_rev_full"], 100),
            "Maximal eFuse block revision": "%d.%d" % divmod(a["max_efuse_blk_rev_full"], 100),
            "Secure version": str(a["secure_version"]),
        }
        if a.get("mmu_page_size"):
            f["app"]["MMU page size"] = "%d KB" % (2 ** a["mmu_page_size"] // 1024)
    b = d.get("bootloader_desc")
    if b:
        f["boot"] = {"Bootloader version": str(b["version"]), "ESP-IDF": text_of(b, "idf_ver"),
                     "Compile time": text_of(b, "date_time")}
    return f


def do_info(c, path):
    rc1, out1, _ = c.esptool("image-info", path)
    if b"Detected image type: ESP8266" in out1:
        c.counts["info-esp8266-skipped"] = (c.counts.get("info-esp8266-skipped", (0, 0))[0] + 1, 0)
        return  # not an ESP32-family image: out of espgen's scope
    rc2, out2, err2 = c.run([c.bin + "/esp-imginfo", "--json", path])
    name = os.path.relpath(path, c.work) if path.startswith(c.work) else path
    if rc1 != 0:
        # esptool refuses it: espgen may describe it, but must then name a problem
        rc3 = c.run([c.bin + "/esp-imginfo", "--check", path])[0]
        c.tally("info", rc3 != 0, "%s: esptool refuses it, esp-imginfo --check finds no "
                "problem" % name)
        return
    if rc2 not in (0, 1):
        c.tally("info", False, "%s: esptool describes it, esp-imginfo refuses: %s" % (
            name, err2.decode(errors="replace").strip()[-200:]))
        return
    want = esptool_facts(out1.decode(errors="replace"))
    got = ours_facts(json.loads(out2))
    diffs = [k for k in want if want[k] != got[k]]
    if diffs:
        c.tally("info", False, "%s: %s differ: esptool %s, espgen %s" % (
            name, ",".join(diffs), {k: want[k] for k in diffs}, {k: got[k] for k in diffs}))
    else:
        c.tally("info", True, "")


def info_corpus(c):
    paths = list(c.images)
    tdir = os.path.join(c.args.esptool or "", "test", "images")
    if os.path.isdir(tdir):
        for n in sorted(os.listdir(tdir)):
            p = os.path.join(tdir, n)
            if n.endswith(".bin") and os.path.isfile(p):
                with open(p, "rb") as f:
                    if f.read(1) == b"\xe9":
                        paths.append(p)
    vec = os.path.join(c.args.shared, "vectors", "mkimage", "expected")
    if os.path.isdir(vec):
        paths += [os.path.join(vec, n) for n in sorted(os.listdir(vec)) if n.endswith(".bin")]
    return paths


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(here, "../../build/bin"))
    ap.add_argument("--tests-bin", default=os.path.join(here, "../../build/tests"))
    ap.add_argument("--shared", default=os.path.join(here, "../../../shared"))
    ap.add_argument("--esptool", default=os.environ.get("ESPTOOL_DIR"))
    ap.add_argument("--idf", default=os.environ.get("IDF_DIR"))
    ap.add_argument("--nvsgen", default=os.environ.get("NVSGEN_DIR"))
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--only", default="mkpart,mkimage,mknvs,merge,info")
    ap.add_argument("--keep")
    ap.add_argument("--python", default=os.environ.get("UPSTREAM_PYTHON"),
                    help="the Python that runs the upstream tools (default: the first of "
                    "this one and /usr/bin/python3 that runs them)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    need = {"mkpart": ("idf", args.idf), "mkimage": ("esptool", args.esptool),
            "mknvs": ("nvsgen", args.nvsgen), "merge": ("esptool", args.esptool),
            "info": ("esptool", args.esptool)}
    probes = {"esptool": ["-m", "esptool", "version"],
              "idf": [os.path.join(args.idf or "", "components/partition_table/gen_esp32part.py"),
                      "--help"],
              "nvsgen": ["-m", "esp_idf_nvs_partition_gen", "--help"]}
    pythons = [args.python] if args.python else [sys.executable, "/usr/bin/python3"]
    for tool in sorted(only):
        what, d = need.get(tool, ("?", None))
        if not d or not os.path.isdir(d):
            print("SKIP: differential %s (no --%s tree given)" % (tool, what))
            only.discard(tool)
            continue
        env = dict(os.environ, PYTHONPATH=d)
        for py in pythons:
            if subprocess.run([py, *probes[what]], env=env, capture_output=True).returncode == 0:
                PY[what] = py
                break
        else:
            print("SKIP: differential %s (the %s tree in %s does not run with %s: missing "
                  "Python modules?)" % (tool, what, d, " or ".join(pythons)))
            only.discard(tool)
    if not only:
        return 77
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    work = tempfile.mkdtemp(prefix="espgen-diff.")
    try:
        c = Ctx(args, work)
        r = random.Random(args.seed)
        for tool, fn in (("mkpart", do_mkpart), ("mkimage", do_mkimage), ("mknvs", do_mknvs),
                         ("merge", do_merge)):
            if tool in only:
                for i in range(args.count):
                    fn(c, r, i)
        if "info" in only:
            for p in info_corpus(c):
                do_info(c, p)
        total = sum(n for n, _ in c.counts.values())
        bad = sum(f for _, f in c.counts.values())
        for tool in sorted(c.counts):
            n, f = c.counts[tool]
            acc = c.accepted.get(tool)
            print("%-8s %5d cases, %d differ%s" % (
                tool, n, f, "" if acc is None else " (%d built by both, the rest refused by both)" % acc))
        print("seed %d, count %d: %d cases, %d differ" % (args.seed, args.count, total, bad))
        return 1 if bad else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
