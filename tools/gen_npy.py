#!/usr/bin/env python3
"""Writes the NPY fixtures: data/numpy/pass/*, data/numpy/fail/* and data/book/npy/.

Plain Python 3.11, no numpy: NPY bytes are written by hand with struct, laid out as
numpy.save lays them out (header padded with spaces to a multiple of 64 bytes, ending in a
newline). The output is deterministic: running it twice writes identical bytes.

Each case is a directory with schema.json (INTERFACE.md section 2), the .npy files of one
column set, and expected.json (pass: the rows as vecload's row_to_json prints them) or
error.txt (fail: substrings the error message must contain, one a line).

Usage: python3 tools/gen_npy.py   (from anywhere; paths are relative to the repository)
"""

import json
import shutil
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMPY_DIR = ROOT / "data" / "numpy"
BOOK_DIR = ROOT / "data" / "book" / "npy"
MAGIC = b"\x93NUMPY"


# ---------------------------------------------------------------- NPY bytes


def header(descr, shape, fortran=False, version=1, text=None):
    """An NPY header; `text` replaces the dict literal when given."""
    if text is None:
        text = "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" % (descr, fortran, tuple(shape))
    raw = text.encode("utf-8" if version == 3 else "latin-1")
    len_bytes = 2 if version == 1 else 4
    pad = (64 - (len(MAGIC) + 2 + len_bytes + len(raw) + 1) % 64) % 64
    raw += b" " * pad + b"\n"
    size = struct.pack("<H" if len_bytes == 2 else "<I", len(raw))
    return MAGIC + bytes([version, 0]) + size + raw


def npy(col, fortran=False, version=1, text=None):
    """A whole file from a column (descr, shape, C-order element bytes list)."""
    descr, shape, elems = col
    if fortran and len(shape) == 2:
        rows, width = shape
        elems = [elems[i * width + j] for j in range(width) for i in range(rows)]
    return header(descr, shape, fortran, version, text) + b"".join(elems)


def packed(fmt, order, values, width=None):
    """A column of struct-packed numbers; 2-D when `width` is given (values row-major)."""
    elems = [struct.pack(order + fmt, v) for v in values]
    shape = (len(values),) if width is None else (len(values) // width, width)
    return shape, elems


def num(descr, fmt, values, width=None):
    order = ">" if descr.startswith(">") else "<"
    shape, elems = packed(fmt, order, values, width)
    return descr, shape, elems


def i8(values, descr="<i8"):
    return num(descr, "q", values)


def i4(values, descr="<i4"):
    return num(descr, "i", values)


def f4(values, descr="<f4", width=None):
    return num(descr, "f", values, width)


def f8(values, descr="<f8", width=None):
    return num(descr, "d", values, width)


def u1(rows, descr="|u1"):
    """A 2-D uint8 column from a list of byte rows."""
    return descr, (len(rows), len(rows[0]) if rows else 0), [bytes([b]) for r in rows for b in r]


def s_col(texts, n=None, descr=None):
    """S<n> strings (UTF-8 bytes, NUL padded)."""
    raw = [t.encode("utf-8") if isinstance(t, str) else t for t in texts]
    n = n or max([len(r) for r in raw] + [1])
    return descr or "|S%d" % n, (len(raw),), [r.ljust(n, b"\0") for r in raw]


def u_col(texts, n=None, order="<"):
    """U<n> strings (UTF-32 in `order`, NUL padded); ints in `texts` are raw code units."""
    units = [[ord(c) for c in t] if isinstance(t, str) else t for t in texts]
    n = n or max([len(u) for u in units] + [1])
    elems = [struct.pack(order + "%dI" % n, *(u + [0] * (n - len(u)))) for u in units]
    return "%sU%d" % (order, n), (len(units),), elems


def f16_bits(values):
    return [struct.unpack("<H", struct.pack("<e", v))[0] for v in values]


def bf16_bits(values):
    return [struct.unpack("<I", struct.pack("<f", v))[0] >> 16 for v in values]


def half_rows(bits, dim):
    """uint8 rows of dim*2 bytes holding little-endian 16-bit values."""
    raw = b"".join(struct.pack("<H", b) for b in bits)
    return [raw[i : i + dim * 2] for i in range(0, len(raw), dim * 2)]


# ---------------------------------------------------------------- expected values


FLT_MAX = 3.4028234663852886e38


def to_f32_bits(x):
    """float32 bits of x rounded to nearest, as a parser does (struct refuses values past
    FLT_MAX, both those that round down to it and those that overflow to infinity)."""
    if abs(x) >= FLT_MAX + 2.0**103:
        x = float("inf") if x > 0 else float("-inf")
    elif abs(x) > FLT_MAX:
        x = FLT_MAX if x > 0 else -FLT_MAX
    return struct.pack("<f", x)


def f32(x):
    """The float32 nearest x, as the shortest decimal that reads back to it (as Rust prints)."""
    bits = to_f32_bits(x)
    exact = struct.unpack("<f", bits)[0]
    for p in range(1, 10):
        text = "%.*g" % (p, exact)
        if to_f32_bits(float(text)) == bits:
            return float(text)
    return exact


def vec_rows(values, dim, conv=f32):
    return [[conv(v) for v in values[i : i + dim]] for i in range(0, len(values), dim)]


# ---------------------------------------------------------------- cases


def field(name, data_type, primary=False, **params):
    f = {"fieldName": name, "dataType": data_type}
    if primary:
        f["isPrimary"] = True
    for key in ("nullable", "elementDataType", "isPartitionKey"):
        if key in params:
            f[key] = params.pop(key)
    if params:
        f["elementTypeParams"] = params
    return f


def schema(fields, auto_id=False, dynamic=False, name="c"):
    return {
        "collectionName": name,
        "schema": {"autoId": auto_id, "enableDynamicField": dynamic, "fields": fields},
    }


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def case(kind, name, sch, files, expected=None, error=None):
    d = NUMPY_DIR / kind / name
    write(d / "schema.json", (json.dumps(sch, indent=1) + "\n").encode())
    for rel, data in files.items():
        write(d / rel, data)
    if kind == "pass":
        write(d / "expected.json", (json.dumps(expected, indent=1, ensure_ascii=False) + "\n").encode())
    else:
        write(d / "error.txt", ("\n".join(error) + "\n").encode())


def rows_of(columns, n):
    """Row objects from {name: list of n values}, in column order."""
    return [{k: v[i] for k, v in columns.items()} for i in range(n)]


def meta_rows(rows, metas):
    for row, meta in zip(rows, metas):
        row.update(meta)
    return rows


VEC2 = field("vec", "FloatVector", dim=2)
VEC_VALUES = [0.5, -1.25, 1.1, 2.2, 3.3, -4.4, 1e-3, 65504.0]


def vec_file(rows=4, descr="<f4"):
    vals = (VEC_VALUES * 3)[: rows * 2]
    return f4(vals, descr, 2) if "f4" in descr else f8(vals, descr, 2)


def vec_expected(rows=4):
    return vec_rows((VEC_VALUES * 3)[: rows * 2], 2)


BOOK_SCHEMA = schema(
    [
        field("book_id", "Int64", primary=True),
        field("word_count", "Int64"),
        field("book_intro", "FloatVector", dim=2),
    ],
    dynamic=True,
    name="book",
)
BOOK_INTRO = [1.1, 1.2, 2.1, 2.2, 3.1, 3.2, 4.1, 4.2, 5.1, 5.2]
BOOK_META = [
    {"book_props": {"year": y, "price": p}}
    for y, p in zip([2015, 2016, 2017, 2018, 2019], [23.43, 15.05, 35.61, 15.29, 22.51])
]


def book_files():
    return {
        "book_id.npy": npy(i8([101, 102, 103, 104, 105])),
        "word_count.npy": npy(i8([13, 25, 7, 12, 34])),
        "book_intro.npy": npy(f4(BOOK_INTRO, width=2)),
        "$meta.npy": npy(u_col([json.dumps(m) for m in BOOK_META])),
    }


def book_expected():
    rows = rows_of(
        {
            "book_id": [101, 102, 103, 104, 105],
            "word_count": [13, 25, 7, 12, 34],
            "book_intro": vec_rows(BOOK_INTRO, 2),
        },
        5,
    )
    return meta_rows(rows, BOOK_META)


# ---------------------------------------------------------------- pass cases


def pass_cases():
    ints = [-9223372036854775808, 0, 1, 9223372036854775807]
    b = [True, False, True, True]
    i1v = [-128, 0, 1, 127]
    i2v = [-32768, -2, 300, 32767]
    i4v = [-2147483648, -3, 70000, 2147483647]
    fv = [0.1, -2.5, 3.4028234663852886e38, 1.17549435e-38]
    dv = [0.1, -2.5, 1.7976931348623157e308, 5e-324]
    scalar_schema = schema(
        [
            field("id", "Int64", primary=True),
            field("flag", "Bool"),
            field("tiny", "Int8"),
            field("small", "Int16"),
            field("mid", "Int32"),
            field("f", "Float"),
            field("d", "Double"),
            VEC2,
        ]
    )
    expected = rows_of(
        {
            "id": ints,
            "flag": b,
            "tiny": i1v,
            "small": i2v,
            "mid": i4v,
            "f": [f32(x) for x in fv],
            "d": dv,
            "vec": vec_expected(),
        },
        4,
    )

    def scalar_files(p, vec_descr, names=False):
        def d(code, name):
            return name if names else p + code

        return {
            "id.npy": npy(num(d("i8", "int64"), "q", ints)),
            "flag.npy": npy(num("bool" if names else "|b1", "?", b)),
            "tiny.npy": npy(num(d("i1", "int8"), "b", i1v)),
            "small.npy": npy(num(d("i2", "int16"), "h", i2v)),
            "mid.npy": npy(num(d("i4", "int32"), "i", i4v)),
            "f.npy": npy(num(d("f4", "float32"), "f", fv)),
            "d.npy": npy(num(d("f8", "float64"), "d", dv)),
            "vec.npy": npy(vec_file(4, vec_descr)),
        }

    case("pass", "scalars_little_endian", scalar_schema, scalar_files("<", "<f4"), expected)
    case("pass", "scalars_big_endian", scalar_schema, scalar_files(">", ">f8"), expected)
    case("pass", "scalars_no_prefix", scalar_schema, scalar_files("", "f4"), expected)
    case("pass", "scalars_pipe_prefix", scalar_schema, scalar_files("|", "|f8"), expected)
    case("pass", "scalars_numpy_names", scalar_schema, scalar_files("", "float64", names=True), expected)

    book = book_files()
    case("pass", "book", BOOK_SCHEMA, book, book_expected())
    for version in (2, 3):
        files = {
            "book_id.npy": npy(i8([101, 102, 103, 104, 105]), version=version),
            "word_count.npy": npy(i8([13, 25, 7, 12, 34]), version=version),
            "book_intro.npy": npy(f4(BOOK_INTRO, width=2), version=version),
            "$meta.npy": npy(u_col([json.dumps(m) for m in BOOK_META]), version=version),
        }
        case("pass", "book_header_v%d" % version, BOOK_SCHEMA, files, book_expected())
    case("pass", "book_in_subdirectory", BOOK_SCHEMA, {"1/" + k: v for k, v in book.items()}, book_expected())
    no_meta = {k: v for k, v in book.items() if k != "$meta.npy"}
    expected = book_expected()
    for row in expected:
        del row["book_props"]
    case("pass", "dynamic_without_meta", BOOK_SCHEMA, no_meta, expected)

    # Header dicts as other writers may lay them out.
    layouts = {
        "id.npy": (i8([1, 2, 3]), '{"shape": (3,), "descr": "<i8", "fortran_order": False}'),
        "flag.npy": (num("|b1", "?", [True, False, True]), "{ 'fortran_order' :False,'shape':( 3 , ),\t'descr':'|b1' }"),
        "vec.npy": (vec_file(3), "{'descr':'<f4','fortran_order':False,'shape':(3,2)}"),
    }
    files = {k: npy(col, text=text) for k, (col, text) in layouts.items()}
    sch = schema([field("id", "Int64", primary=True), field("flag", "Bool"), VEC2])
    expected = rows_of({"id": [1, 2, 3], "flag": [True, False, True], "vec": vec_expected(3)}, 3)
    case("pass", "header_layouts", sch, files, expected)

    # Fortran order: 2-D arrays transposed, 1-D the same as C order.
    fvals = [float(10 * i + j) for i in range(4) for j in range(3)]
    bin_rows = [[1, 2], [3, 4], [5, 6], [255, 128]]
    halfs = [1.0, -2.0, 0.5, 65504.0, 0.25, -0.125, 3.0, 1024.0]
    sch = schema(
        [
            field("id", "Int64", primary=True),
            field("fvec", "FloatVector", dim=3),
            field("bvec", "BinaryVector", dim=16),
            field("hvec", "Float16Vector", dim=2),
            field("dvec", "FloatVector", dim=3),
        ]
    )
    files = {
        "id.npy": npy(i8([7, 8, 9, 10]), fortran=True),
        "fvec.npy": npy(f4(fvals, ">f4", 3), fortran=True),
        "bvec.npy": npy(u1(bin_rows), fortran=True),
        "hvec.npy": npy(u1(half_rows(f16_bits(halfs), 2)), fortran=True),
        "dvec.npy": npy(f8(fvals, "<f8", 3), fortran=True),
    }
    expected = rows_of(
        {
            "id": [7, 8, 9, 10],
            "fvec": vec_rows(fvals, 3),
            "bvec": bin_rows,
            "hvec": vec_rows(halfs, 2),
            "dvec": vec_rows(fvals, 3),
        },
        4,
    )
    case("pass", "fortran_order", sch, files, expected)

    # Byte vectors in C order.
    bf = [1.0, -2.0, 3.0, 0.5, 1.5, -0.75]
    sch = schema(
        [
            field("id", "Int64", primary=True),
            field("bvec", "BinaryVector", dim=24),
            field("hvec", "Float16Vector", dim=2),
            field("bfvec", "BFloat16Vector", dim=2),
        ]
    )
    brows = [[0, 1, 2], [253, 254, 255], [16, 32, 64]]
    files = {
        "id.npy": npy(i8([1, 2, 3])),
        "bvec.npy": npy(u1(brows, "u1")),
        "hvec.npy": npy(u1(half_rows(f16_bits(halfs[:6]), 2), "uint8")),
        "bfvec.npy": npy(u1(half_rows(bf16_bits(bf), 2), "<u1")),
    }
    expected = rows_of(
        {"id": [1, 2, 3], "bvec": brows, "hvec": vec_rows(halfs[:6], 2), "bfvec": vec_rows(bf, 2)}, 3
    )
    case("pass", "byte_vectors", sch, files, expected)

    # Int8Vector (Milvus 2.6): int8 (|i1, i1, <i1) 2-D (rows, dim); every int8 is in range.
    sch = schema([field("id", "Int64", primary=True), field("i8v", "Int8Vector", dim=3)])
    irows = [[-128, 0, 127], [1, -1, 2], [-5, 100, -100]]
    flat = [v for r in irows for v in r]
    files = {"id.npy": npy(i8([1, 2, 3])), "i8v.npy": npy(num("|i1", "b", flat, 3))}
    case("pass", "int8_vectors", sch, files, rows_of({"id": [1, 2, 3], "i8v": irows}, 3))
    files = {"id.npy": npy(i8([1, 2, 3])), "i8v.npy": npy(num("i1", "b", flat, 3), fortran=True)}
    case("pass", "int8_vectors_fortran", sch, files, rows_of({"id": [1, 2, 3], "i8v": irows}, 3))

    # Milvus 2.6: Geometry as WKT and Timestamptz as ISO-8601, in S or U string columns.
    sch = schema([field("id", "Int64", primary=True), field("g", "Geometry"), field("ts", "Timestamptz"),
                  field("vec", "FloatVector", dim=2)])
    files = {"id.npy": npy(i8([1, 2])), "g.npy": npy(u_col(["POINT (1 2)", "LINESTRING (0 0, 1 1.5)"])),
             "ts.npy": npy(s_col(["2025-01-31T08:30:00+08:00", "1970-01-01"])), "vec.npy": npy(vec_file(2))}
    expected = rows_of({"id": [1, 2], "g": ["POINT(1 2)", "LINESTRING(0 0,1 1.5)"],
                        "ts": ["2025-01-31T00:30:00.000000Z", "1970-01-01T00:00:00.000000Z"],
                        "vec": vec_rows(VEC_VALUES[:4], 2)}, 2)
    case("pass", "types_26", sch, files, expected)

    # Strings: S (UTF-8, ends at the first NUL) and U (UTF-32, both orders, trailing NULs
    # dropped); max_length counts UTF-8 bytes, so a value exactly at the limit passes.
    texts = ["héllo", "", "abc", "日本"]
    docs = ['{"a": [1, 2.5, null]}', "42", '"text"', '{"nested": {"k": true}}']
    sch = schema(
        [
            field("pk", "VarChar", primary=True, max_length=8),
            field("s", "VarChar", max_length=6),
            field("u", "VarChar", max_length=6),
            field("ub", "VarChar", max_length=6),
            field("js", "JSON"),
            field("ju", "JSON"),
            VEC2,
        ]
    )
    files = {
        "pk.npy": npy(u_col(["k0", "k1", "k2", "k3"])),
        "s.npy": npy(s_col([b"h\xc3\xa9llo", b"\0junk", b"abc", "日本".encode()], 8)),
        "u.npy": npy(u_col(texts, 6)),
        "ub.npy": npy(u_col(texts, 6, ">")),
        "js.npy": npy(s_col(docs, descr="a23")),
        "ju.npy": npy(u_col(docs, 30, ">")),
        "vec.npy": npy(vec_file()),
    }
    parsed = [json.loads(d) for d in docs]
    expected = rows_of(
        {
            "pk": ["k0", "k1", "k2", "k3"],
            "s": texts,
            "u": texts,
            "ub": texts,
            "js": parsed,
            "ju": parsed,
            "vec": vec_expected(),
        },
        4,
    )
    case("pass", "strings", sch, files, expected)

    # $meta as S and as big-endian U.
    metas = [{"a": 1}, {}, {"b": "x", "c": [1, 2]}]
    sch = schema([field("id", "Int64", primary=True), VEC2], dynamic=True)
    for name, col in (
        ("meta_bytes", s_col([json.dumps(m) for m in metas])),
        ("meta_utf32_big_endian", u_col([json.dumps(m) for m in metas], order=">")),
    ):
        files = {"id.npy": npy(i8([1, 2, 3])), "vec.npy": npy(vec_file(3)), "$meta.npy": npy(col)}
        expected = meta_rows(rows_of({"id": [1, 2, 3], "vec": vec_expected(3)}, 3), metas)
        case("pass", name, sch, files, expected)

    sch = schema([field("id", "Int64", primary=True), field("n", "Int32"), VEC2], auto_id=True)
    files = {"n.npy": npy(i4([5, 6])), "vec.npy": npy(vec_file(2))}
    case("pass", "auto_id", sch, files, rows_of({"n": [5, 6], "vec": vec_expected(2)}, 2))

    sch = schema([field("id", "Int64", primary=True), field("t", "VarChar", max_length=4), VEC2], dynamic=True)
    files = {
        "id.npy": npy(i8([])),
        "t.npy": npy(("<U4", (0,), [])),
        "vec.npy": npy(("<f4", (0, 2), [])),
        "$meta.npy": npy(("|S2", (0,), [])),
    }
    case("pass", "zero_rows", sch, files, [])


# ---------------------------------------------------------------- fail cases


def fail_cases():
    sch = schema([field("id", "Int64", primary=True), field("n", "Int64"), field("vec", "FloatVector", dim=4)])
    vec4 = f4([float(i) for i in range(12)], width=4)
    good = {"id.npy": npy(i8([1, 2, 3])), "n.npy": npy(i8([4, 5, 6])), "vec.npy": npy(vec4)}

    def fail(name, error, sch=sch, **changes):
        files = dict(good)
        for k, v in changes.items():
            key = k.replace("__", "/").replace("_DOLLAR_", "$") + ".npy"
            if v is None:
                del files[key]
            else:
                files[key] = v
        case("fail", name, sch, files, error=error)

    fail("row_count_mismatch", ["n.npy: 4 rows", "id.npy has 3 rows"], n=npy(i8([1, 2, 3, 4])))
    fail("truncated_data", ["vec.npy: truncated data", "expected 176 bytes, found 173"], vec=npy(vec4)[:-3])
    fail("trailing_garbage", ["n.npy: 2 trailing bytes"], n=npy(i8([4, 5, 6])) + b"\0\0")
    fail("truncated_header", ["id.npy: truncated header"], id=npy(i8([1, 2, 3]))[:40])
    fail("empty_file", ["id.npy: truncated header", "found 0"], id=b"")
    fail("bad_magic", ["n.npy: not a NumPy file"], n=b"PK\x03\x04" + npy(i8([1, 2, 3]))[4:])
    fail("version_4", ["n.npy: NPY format version 4.0 is not supported"], n=b"\x93NUMPY\x04\x00" + bytes(200))
    huge = b"\x93NUMPY\x02\x00" + struct.pack("<I", 2 << 20)
    fail("header_too_long", ["n.npy: NPY header length is 2097152 bytes"], n=huge + bytes(100))
    fail("object_dtype", ["n.npy: dtype '|O' is not supported", "object arrays"],
         n=header("|O", (3,)) + bytes(24))
    fail("float16_for_float", ["f.npy: dtype '<f2' is not supported", "float16"],
         sch=schema([field("id", "Int64", primary=True), field("f", "Float"), field("vec", "FloatVector", dim=4)]),
         n=None, f=header("<f2", (3,)) + bytes(6))
    fail("uint16_dtype", ["n.npy: dtype '<u2' is not supported"], n=header("<u2", (3,)) + bytes(6))
    fail("complex_dtype", ["n.npy: dtype '<c8' is not supported", "complex"], n=header("<c8", (3,)) + bytes(24))
    fail("structured_dtype", ["n.npy: dtype '[('a', '<i4'), ('b', '<i4')]' is not supported", "structured"],
         n=header(None, (3,), text="{'descr': [('a', '<i4'), ('b', '<i4')], 'fortran_order': False, 'shape': (3,), }")
         + bytes(24))
    fail("int32_for_int64", ['n.npy: field "n": expected shape (rows,) of int64, found (3,) <i4'], n=npy(i4([4, 5, 6])))
    fail("float64_for_int64", ['n.npy: field "n"', "found (3,) <f8"], n=npy(f8([4.0, 5.0, 6.0])))
    fail("vector_1d", ['vec.npy: field "vec": expected shape (rows, 4) of float32/float64, found (12,) <f4'],
         vec=npy(f4([float(i) for i in range(12)])))
    fail("vector_wrong_dim", ['vec.npy: field "vec"', "found (4, 3) <f4"], vec=npy(f4([0.0] * 12, width=3)))
    fail("vector_int_dtype", ['vec.npy: field "vec"', "found (3, 4) <i4"],
         vec=npy(num("<i4", "i", list(range(12)), 4)))
    fail("scalar_2d", ['n.npy: field "n": expected shape (rows,) of int64, found (3, 1) <i8'],
         n=npy(num("<i8", "q", [4, 5, 6], 1)))
    fail("scalar_0d", ['n.npy: field "n"', "found () <i8"], n=header("<i8", ()) + bytes(8))
    nan_vec = [float(i) for i in range(12)]
    nan_vec[9] = float("nan")
    fail("nan_in_vector", ['vec.npy: row 2, field "vec": expected a finite 32-bit float (vector element), found NaN (not a number)'],
         vec=npy(f4(nan_vec, width=4)))
    inf_vec = [float(i) for i in range(12)]
    inf_vec[4] = float("-inf")
    fail("inf_in_vector_fortran_f8", ['vec.npy: row 1, field "vec": expected a finite 32-bit float (vector element), found -inf (out of range)'],
         vec=npy(f8(inf_vec, ">f8", 4), fortran=True))
    big = [float(i) for i in range(12)]
    big[11] = 1e39
    fail("f8_vector_overflows_f32", ['vec.npy: row 2, field "vec": expected a finite 32-bit float (vector element), found 1e39 (out of range)'],
         vec=npy(f8(big, width=4)))
    fsch = schema([field("id", "Int64", primary=True), field("f", "Float"), field("d", "Double"),
                   field("vec", "FloatVector", dim=4)])
    fail("inf_in_float_big_endian", ['f.npy: row 1, field "f": expected a finite 32-bit float (Float), found inf (out of range)'], sch=fsch, n=None,
         f=npy(f4([1.0, float("inf"), 2.0], ">f4")), d=npy(f8([1.0, 2.0, 3.0])))
    fail("nan_in_double", ['d.npy: row 2, field "d": expected a finite 64-bit float (Double), found NaN (not a number)'], sch=fsch, n=None,
         f=npy(f4([1.0, 2.0, 3.0])), d=npy(f8([1.0, 2.0, float("nan")])))
    hsch = schema([field("id", "Int64", primary=True), field("h", "Float16Vector", dim=2)])
    fail("float16_nan_bits", ['h.npy: row 1, field "h": expected a finite Float16Vector element, found float16 bits 0x7e00 (NaN)'], sch=hsch, n=None, vec=None,
         h=npy(u1(half_rows([0x3C00] * 3 + [0x7E00] + [0x3C00] * 2, 2))))
    bsch = schema([field("id", "Int64", primary=True), field("h", "BFloat16Vector", dim=2)])
    fail("bfloat16_inf_bits", ['h.npy: row 2, field "h": expected a finite BFloat16Vector element, found bfloat16 bits 0x7f80 (inf)'], sch=bsch, n=None,
         vec=None, h=npy(u1(half_rows([0x3F80] * 4 + [0x7F80, 0x3F80], 2))))
    fail("binary_vector_wrong_width", ['b.npy: field "b": expected shape (rows, 2) of uint8, found (3, 16) |u1'],
         sch=schema([field("id", "Int64", primary=True), field("b", "BinaryVector", dim=16)]), n=None, vec=None,
         b=npy(u1([[0] * 16] * 3)))
    i8sch = schema([field("id", "Int64", primary=True), field("i8v", "Int8Vector", dim=4)])
    fail("int8_vector_wrong_dim", ['i8v.npy: field "i8v": expected shape (rows, 4) of int8, found (3, 3) |i1'],
         sch=i8sch, n=None, vec=None, i8v=npy(num("|i1", "b", [0] * 9, 3)))
    fail("int8_vector_uint8_dtype", ['i8v.npy: field "i8v": expected shape (rows, 4) of int8, found (3, 4) |u1'],
         sch=i8sch, n=None, vec=None, i8v=npy(u1([[0] * 4] * 3)))
    fail("int8_vector_float_dtype", ['i8v.npy: field "i8v"', "found (3, 4) <f4"],
         sch=i8sch, n=None, vec=None, i8v=npy(f4([0.0] * 12, width=4)))
    bool_sch = schema([field("id", "Int64", primary=True), field("ok", "Bool"), field("vec", "FloatVector", dim=4)])
    fail("bool_byte_2", ['ok.npy: row 1, field "ok": expected a bool byte (0 or 1), found byte 0x02'], sch=bool_sch,
         n=None, ok=header("|b1", (3,)) + bytes([1, 2, 0]))

    vsch = schema([field("id", "Int64", primary=True), field("title", "VarChar", max_length=5),
                   field("vec", "FloatVector", dim=4)])
    fail("varchar_too_long_s", ['title.npy: row 1, field "title": expected at most 5 UTF-8 bytes (max_length), found 6 bytes'], sch=vsch, n=None, title=npy(s_col(["abc", "héllo", ""])))
    fail("varchar_too_long_u", ['title.npy: row 2, field "title"', 'at most 5 UTF-8 bytes', 'found 6 bytes'], sch=vsch,
         n=None, title=npy(u_col(["abc", "hello", "日本"], order=">")))
    fail("invalid_utf8_s", ['title.npy: row 0, field "title": expected UTF-8 text'], sch=vsch, n=None,
         title=npy(s_col([b"a\xff", b"b", b"c"])))
    fail("invalid_code_point_u", ['title.npy: row 1, field "title": expected Unicode code points, found 0x0000D800'],
         sch=vsch, n=None, title=npy(u_col(["a", [0x61, 0xD800], "c"])))
    fail("varchar_from_int", ['title.npy: field "title": expected shape (rows,) of S<n>/U<n> strings, found (3,) <i8'],
         sch=vsch, n=None, title=npy(i8([1, 2, 3])))
    jsch = schema([field("id", "Int64", primary=True), field("attrs", "JSON"), field("vec", "FloatVector", dim=4)])
    fail("json_field_invalid", ['attrs.npy: row 2, field "attrs": expected a JSON object or a string holding JSON, found a string that is not JSON', '\'{"a": }\''], sch=jsch,
         n=None, attrs=npy(u_col(["{}", "[1]", '{"a": }'])))
    dsch = schema([field("id", "Int64", primary=True), field("n", "Int64"), field("vec", "FloatVector", dim=4)],
                  dynamic=True)
    fail("meta_invalid_json", ['$meta.npy: row 1, field "$meta": expected a JSON object or a string holding one, found a string that is not JSON', '\'{"a": 1\''], sch=dsch,
         _DOLLAR_meta=npy(u_col(["{}", '{"a": 1', "{}"])))
    fail("meta_not_object", ['$meta.npy: row 2, field "$meta": expected a JSON object or a string holding one, found a string holding a list', "'[1, 2]'"], sch=dsch,
         _DOLLAR_meta=npy(s_col(["{}", '{"k": "v"}', "[1, 2]"])))
    fail("meta_not_strings", ['$meta.npy: field "$meta": expected shape (rows,) of S<n>/U<n> strings'], sch=dsch,
         _DOLLAR_meta=npy(i8([1, 2, 3])))
    fail("meta_without_dynamic", ["$meta.npy: the collection has no dynamic field"],
         _DOLLAR_meta=npy(u_col(["{}", "{}", "{}"])))
    fail("meta_row_count", ["$meta.npy: 2 rows", "id.npy has 3 rows"], sch=dsch, _DOLLAR_meta=npy(u_col(["{}", "{}"])))

    fail("missing_file", ['vec.npy: missing: field "vec" needs this file', "files given: id.npy, n.npy"], vec=None)
    fail("extra_file", ['title.npy: no field named "title" in the collection'], title=npy(i8([1, 2, 3])))
    case("fail", "not_npy_name", sch, dict(good, **{"notes.txt": b"hello"}),
         error=["notes.txt: expected a file named <field>.npy"])
    fail("auto_id_pk_file", ['id.npy: field "id" is an auto-id primary key'],
         sch=schema([field("id", "Int64", primary=True), field("n", "Int64"), field("vec", "FloatVector", dim=4)],
                    auto_id=True))
    fail("duplicate_file", ['b/n.npy: a second file for field "n" (the first is a/n.npy)'],
         a__n=npy(i8([4, 5, 6])), b__n=npy(i8([4, 5, 6])), n=None)
    fail("nullable_field", ['n.npy: field "n": Int64 fields cannot be imported from NumPy files', "nullable"],
         sch=schema([field("id", "Int64", primary=True), field("n", "Int64", nullable=True),
                     field("vec", "FloatVector", dim=4)]))
    fail("array_field", ['n.npy: field "n": Array fields cannot be imported from NumPy files'],
         sch=schema([field("id", "Int64", primary=True), field("n", "Array", elementDataType="Int64", max_capacity=4),
                     field("vec", "FloatVector", dim=4)]))
    fail("sparse_field", ['sp.npy: field "sp": SparseFloatVector fields cannot be imported'],
         sch=schema([field("id", "Int64", primary=True), field("sp", "SparseFloatVector")]), n=None, vec=None,
         sp=npy(u_col(["{}", "{}", "{}"])))

    fail("array_of_struct_field", ['chunks.npy: field "chunks": ArrayOfStruct fields cannot be imported'],
         sch=schema([field("id", "Int64", primary=True), field("vec", "FloatVector", dim=4),
                     {"fieldName": "chunks", "dataType": "ArrayOfStruct", "elementTypeParams": {"max_capacity": 2},
                      "structFields": [field("t", "Int32")]}]), n=None,
         chunks=npy(u_col(["[]", "[]", "[]"])))
    fail("timestamptz_not_iso", ['ts.npy: row 1', 'field "ts"', "ISO-8601", "yesterday"],
         sch=schema([field("id", "Int64", primary=True), field("ts", "Timestamptz"), field("vec", "FloatVector", dim=4)]),
         n=None, ts=npy(s_col(["2025-01-01", "yesterday", "2025-01-02"])))

    def hdr(text, size=24):
        return header(None, None, text=text) + bytes(size)

    fail("fortran_order_not_bool", ["n.npy: invalid NPY header: 'fortran_order' must be True or False"],
         n=hdr("{'descr': '<i8', 'fortran_order': 0, 'shape': (3,), }"))
    fail("shape_not_tuple", ["n.npy: invalid NPY header: 'shape' must be a tuple, found an integer: (3)"],
         n=hdr("{'descr': '<i8', 'fortran_order': False, 'shape': (3), }"))
    fail("shape_negative", ["n.npy: invalid NPY header"], n=hdr("{'descr': '<i8', 'fortran_order': False, 'shape': (-3,), }"))
    fail("missing_key", ["n.npy: invalid NPY header: missing key 'shape'"],
         n=hdr("{'descr': '<i8', 'fortran_order': False, }"))
    fail("extra_key", ["n.npy: invalid NPY header: unexpected key 'x'"],
         n=hdr("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), 'x': 1}"))
    fail("duplicate_key", ["n.npy: invalid NPY header: key 'descr' appears twice"],
         n=hdr("{'descr': '<i8', 'descr': '<i8', 'fortran_order': False, 'shape': (3,)}"))
    fail("header_not_a_dict", ["n.npy: invalid NPY header: expected '{'"], n=hdr("['<i8', False, (3,)]"))
    fail("shape_overflow", ["n.npy: invalid NPY header: shape (4294967296, 4294967296) of <i8 is too large"],
         n=hdr("{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"))
def main():
    for d in (NUMPY_DIR, BOOK_DIR):
        if d.exists():
            shutil.rmtree(d)
    for name, data in book_files().items():
        write(BOOK_DIR / name, data)
    pass_cases()
    fail_cases()


if __name__ == "__main__":
    main()
