#!/usr/bin/env python3
"""Writes data/json/{pass,fail}/<case>/ for vecload's JSON rules (issue 3).

Usage, from the repository root: python3 data/json/generate.py data/json
(then list any new case in tests/json.rs).

Each case is a schema.json, an input file written exactly as given here, and expected.json
(the rows as vecload's row_to_json renders them, in file order) or error.txt (substrings
the failure reason must contain, the file named by its path in the case directory).
A marker "@@" in a fail case's input marks the first byte of the row the error is about;
it is removed, and its byte offset and 1-based line replace {byte} and {line} in the
substrings. Expected f32 values are the shortest text of the correctly rounded value
(checked independently of vecload, with Python's struct module).
"""
import json
import os
import shutil
import sys

ROOT = sys.argv[1]
ID = {"fieldName": "id", "dataType": "Int64", "isPrimary": True}
V = {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}


def f(name, dt, **kw):
    d = {"fieldName": name, "dataType": dt}
    d.update(kw)
    return d


def schema(fields, auto_id=False, dynamic=False, base=True):
    fs = ([ID, V] if base else []) + fields
    return {"collectionName": "c", "schema": {"autoId": auto_id, "enableDynamicField": dynamic,
            "fields": fs}, "params": {"shardsNum": 1}}


CASES = []


def case(kind, name, sch, text, fmt="json", expected=None, errors=None):
    CASES.append((kind, name, sch, text, fmt, expected, errors))


def ok(name, sch, text, expected, fmt="json"):
    case("pass", name, sch, text, fmt, expected=expected)


def bad(name, sch, text, errors, fmt="json"):
    case("fail", name, sch, text, fmt, errors=errors)


def write():
    for kind, name, sch, text, fmt, expected, errors in CASES:
        d = os.path.join(ROOT, kind, name)
        if os.path.exists(d):
            shutil.rmtree(d)
        os.makedirs(d)
        with open(os.path.join(d, "schema.json"), "w") as fh:
            sc = sch["schema"]
            fields = ",\n     ".join(json.dumps(x, ensure_ascii=False) for x in sc["fields"])
            fh.write('{"collectionName": "c",\n'
                     f' "schema": {{"autoId": {json.dumps(sc["autoId"])}, "enableDynamicField": {json.dumps(sc["enableDynamicField"])},\n'
                     f'   "fields": [\n     {fields}]'
                     + (f',\n   "functions": {json.dumps(sc["functions"])}' if "functions" in sc else "")
                     + '},\n "params": {"shardsNum": 1}}\n')
        data = text.encode("utf-8")
        byte = line = None
        if b"@@" in data:
            byte = data.index(b"@@")
            line = data[:byte].count(b"\n") + 1
            data = data.replace(b"@@", b"", 1)
        fname = "input." + fmt
        with open(os.path.join(d, fname), "wb") as fh:
            fh.write(data)
        if kind == "pass":
            with open(os.path.join(d, "expected.json"), "w") as fh:
                rows = [json.dumps(r, ensure_ascii=False) for r in expected]
                fh.write("[\n" + ",\n".join(rows) + "\n]\n" if rows else "[]\n")
        else:
            lines = [fname]  # the file, by its path in the case directory
            for e in errors:
                if ("{byte}" in e or "{line}" in e) and byte is None:
                    raise SystemExit(f"{name}: no @@ marker")
                lines.append(e.replace("{byte}", str(byte)).replace("{line}", str(line)))
            with open(os.path.join(d, "error.txt"), "w") as fh:
                fh.write("\n".join(lines) + "\n")


ROW_AT = ["row {row}", "(byte {byte})"]


def at(row, *rest, jsonl=False):
    loc = [f"row {row} (line {{line}}, byte {{byte}})"] if jsonl else [f"row {row} (byte {{byte}})"]
    return loc + list(rest)


# ---------------------------------------------------------------- formats
B = schema([])
two = [{"id": 1, "v": [0.5, 1.5]}, {"id": 2, "v": [2.0, -3.0]}]
ok("format_wrapped", B, '{"rows": [\n  {"id": 1, "v": [0.5, 1.5]},\n\t{ "v" : [ 2 , -3 ] ,\r\n "id" : 2 }\n]}\n', two)
ok("format_root_key_case_insensitive", B, '{ "ROWS" : [{"id": 1, "v": [0.5, 1.5]}, {"id": 2, "v": [2, -3]}] }', two)
ok("format_bare_list", B, '[{"id": 1, "v": [0.5, 1.5]}, {"id": 2, "v": [2, -3]}]\n', two)
ok("format_bom", B, '\ufeff[{"id": 1, "v": [0.5, 1.5]}, {"id": 2, "v": [2, -3]}]', two)
ok("format_jsonl_blank_lines", B, '\n{"id": 1, "v": [0.5, 1.5]}\n\n   \n\t{"id": 2, "v": [2, -3]}  \r\n\n', two, fmt="jsonl")
ok("format_ndjson", B, '{"id": 1, "v": [0.5, 1.5]}\n{"id": 2, "v": [2, -3]}', two, fmt="ndjson")
ok("empty_rows_wrapped", B, '{"rows": [ ]}', [])
ok("empty_rows_list", B, '[]\n', [])
ok("escaped_keys", B, '[{"\\u0069d": 1, "\\u0076": [0.5, 1.5]}]', [{"id": 1, "v": [0.5, 1.5]}])
ok("duplicate_keys_last_wins", schema([f("w", "Int64")], dynamic=True),
   '[{"id": 1, "v": [9, 9], "w": 1, "x": "a", "v": [0.5, 1.5], "w": 2, "x": "b"}]',
   [{"id": 1, "v": [0.5, 1.5], "w": 2, "x": "b"}])

bad("trailing_data", B, '[{"id": 1, "v": [1, 2]}] @@x', ["byte {byte}", "unexpected data after the rows list", "'x'"])
bad("trailing_data_wrapped", B, '{"rows": [{"id": 1, "v": [1, 2]}]}\n@@[]', ["byte {byte}", "unexpected data after the root object", "'['"])
bad("extra_root_key", B, '{"rows": [{"id": 1, "v": [1, 2]}]@@, "more": 1}', ["byte {byte}", "only the key \"rows\""])
bad("wrong_root_key", B, '{@@"data": [{"id": 1, "v": [1, 2]}]}', ["byte {byte}", "root key must be \"rows\"", "found \"data\""])
bad("not_a_rows_file", B, '@@"rows"', ["byte {byte}", "expected '{' or '['", "found '\"'"])
bad("empty_file", B, '', ["file is empty"])
bad("non_object_row", B, '[{"id": 1, "v": [1, 2]}, @@[1, 2]]', at(1, "a JSON object", "found a list of 2 values"))
bad("non_object_row_jsonl", B, '{"id": 1, "v": [1, 2]}\n\n\n@@"text"\n', at(1, "a JSON object", "found string \"text\"", jsonl=True), fmt="jsonl")
bad("invalid_json_in_row", B, '[{"id": 1, "v": [1, 2]}, @@{"id": 2, "v": [1, 2], "x": tru}]', at(1, "a valid JSON row", "invalid JSON 28 bytes into the row", "expected a JSON value, found 't'"))
bad("two_rows_on_one_line", B, '{"id": 1, "v": [1, 2]}\n@@{"id": 2, "v": [1, 2]} {"id": 3, "v": [1, 2]}\n', at(1, "a valid JSON row", "invalid JSON", jsonl=True), fmt="jsonl")
bad("missing_colon", B, '[@@{"id" 1, "v": [1, 2]}]', at(0, "a valid JSON row", "invalid JSON"))
bad("bad_escape", schema([f("s", "VarChar", elementTypeParams={"max_length": 8})]),
    '[@@{"id": 1, "v": [1, 2], "s": "a\\x"}]', at(0, "a valid JSON row", "invalid JSON 30 bytes into the row", "a valid escape"))
bad("control_char_in_string", schema([f("s", "VarChar", elementTypeParams={"max_length": 8})]),
    '[@@{"id": 1, "v": [1, 2], "s": "a\tb"}]', at(0, "a valid JSON row", "invalid JSON"))
bad("leading_zero_number", schema([f("w", "Int64")]), '[@@{"id": 1, "v": [1, 2], "w": 012}]', at(0, "a valid JSON row", "invalid JSON"))

# ---------------------------------------------------------------- Bool
SB = schema([f("b", "Bool")])
ok("bool_true_false", SB, '[{"id": 1, "v": [1, 2], "b": true}, {"id": 2, "v": [1, 2], "b": false}]',
   [{"id": 1, "v": [1.0, 2.0], "b": True}, {"id": 2, "v": [1.0, 2.0], "b": False}])
bad("bool_number", SB, '[{"id": 1, "v": [1, 2], "b": true}, @@{"id": 2, "v": [1, 2], "b": 1}]', at(1, 'field "b"', "true or false", "integer 1"))
bad("bool_string", SB, '[@@{"id": 1, "v": [1, 2], "b": "true"}]', at(0, 'field "b"', "true or false", 'string "true"'))
bad("bool_null", SB, '[@@{"id": 1, "v": [1, 2], "b": null}]', at(0, 'field "b"', "true or false", "found null"))

# ---------------------------------------------------------------- integers
SI = schema([f("i8", "Int8"), f("i16", "Int16"), f("i32", "Int32"), f("i64", "Int64")])
ok("int_ranges", SI,
   '[{"id": 1, "v": [1, 2], "i8": -128, "i16": -32768, "i32": -2147483648, "i64": -9223372036854775808},\n'
   ' {"id": 2, "v": [1, 2], "i8": 127, "i16": 32767, "i32": 2147483647, "i64": 9223372036854775807},\n'
   ' {"id": 3, "v": [1, 2], "i8": -0, "i16": 0, "i32": 5, "i64": 9007199254740993}]',
   [{"id": 1, "v": [1.0, 2.0], "i8": -128, "i16": -32768, "i32": -2147483648, "i64": -9223372036854775808},
    {"id": 2, "v": [1.0, 2.0], "i8": 127, "i16": 32767, "i32": 2147483647, "i64": 9223372036854775807},
    {"id": 3, "v": [1.0, 2.0], "i8": 0, "i16": 0, "i32": 5, "i64": 9007199254740993}])
ok("int64_primary_key_exact", B,
   '[{"id": 9007199254740993, "v": [1, 2]}, {"id": 9223372036854775807, "v": [1, 2]}, {"id": -9223372036854775808, "v": [1, 2]}]',
   [{"id": 9007199254740993, "v": [1.0, 2.0]}, {"id": 9223372036854775807, "v": [1.0, 2.0]},
    {"id": -9223372036854775808, "v": [1.0, 2.0]}])


def int_row(field, value):
    vals = {"i8": 0, "i16": 0, "i32": 0, "i64": 0}
    body = ", ".join(f'"{k}": {value if k == field else v}' for k, v in vals.items())
    return '[{"id": 1, "v": [1, 2], "i8": 0, "i16": 0, "i32": 0, "i64": 0}, @@{"id": 2, "v": [1, 2], ' + body + '}]'


bad("int8_above_max", SI, int_row("i8", "128"), at(1, 'field "i8"', "Int8", "128"))
bad("int8_below_min", SI, int_row("i8", "-129"), at(1, 'field "i8"', "Int8", "-129"))
bad("int16_above_max", SI, int_row("i16", "32768"), at(1, 'field "i16"', "Int16", "32768"))
bad("int32_below_min", SI, int_row("i32", "-2147483649"), at(1, 'field "i32"', "Int32", "-2147483649"))
bad("int64_above_max", SI, int_row("i64", "9223372036854775808"), at(1, 'field "i64"', "Int64", "9223372036854775808"))
bad("int64_below_min", SI, int_row("i64", "-9223372036854775809"), at(1, 'field "i64"', "Int64", "-9223372036854775809"))
bad("int64_far_out_of_range", SI, int_row("i64", "123456789012345678901234567890"), at(1, 'field "i64"', "Int64", "123456789012345678901234567890"))
bad("int_decimal_point", SI, int_row("i32", "1.0"), at(1, 'field "i32"', "an integer", "1.0"))
bad("int_exponent", SI, int_row("i64", "1e3"), at(1, 'field "i64"', "an integer", "1e3"))
bad("int_string", SI, int_row("i16", '"5"'), at(1, 'field "i16"', "an integer", 'string "5"'))
bad("primary_key_string", B, '[@@{"id": "1", "v": [1, 2]}]', at(0, 'field "id"', "an integer", 'string "1"'))

# ---------------------------------------------------------------- Float / Double
SF = schema([f("f", "Float"), f("d", "Double")])
ok("float_double_values", SF,
   '[{"id": 1, "v": [1, 2], "f": 1, "d": 2},\n'
   ' {"id": 2, "v": [1, 2], "f": 3.4028235e38, "d": 1.7976931348623157e308},\n'
   ' {"id": 3, "v": [1, 2], "f": 1e-46, "d": 5e-324},\n'
   ' {"id": 4, "v": [1, 2], "f": 1.4e-45, "d": -0.0},\n'
   ' {"id": 5, "v": [1, 2], "f": 0.1, "d": 0.1},\n'
   ' {"id": 6, "v": [1, 2], "f": 16777217, "d": 9007199254740993},\n'
   ' {"id": 7, "v": [1, 2], "f": -2.5E+2, "d": 1E-2}]',
   [{"id": 1, "v": [1.0, 2.0], "f": 1.0, "d": 2.0},
    {"id": 2, "v": [1.0, 2.0], "f": 3.4028235e38, "d": 1.7976931348623157e308},
    {"id": 3, "v": [1.0, 2.0], "f": 0.0, "d": 5e-324},
    {"id": 4, "v": [1.0, 2.0], "f": 1e-45, "d": -0.0},
    {"id": 5, "v": [1.0, 2.0], "f": 0.1, "d": 0.1},
    {"id": 6, "v": [1.0, 2.0], "f": 16777216.0, "d": 9007199254740992.0},
    {"id": 7, "v": [1.0, 2.0], "f": -250.0, "d": 0.01}])
# 1.0000001788139343 (and 7.897880394011736e-3) lie just below the midpoint of 1+2^-23 and 1+2^-22; as f64 it rounds
# onto the midpoint, so f64 -> f32 would round again, to 1+2^-22 (1.0000002). Correct: 1.0000001.
ok("float_correctly_rounded", schema([f("f", "Float")]),
   '[{"id": 1, "v": [1.0000001788139343, 7.897880394011736e-3], "f": 1.0000001788139343},\n'
   ' {"id": 2, "v": [1.0000001788139345, 0.47283125], "f": 7.897880394011736e-3}]',
   [{"id": 1, "v": [1.0000001, 0.007897881], "f": 1.0000001},
    {"id": 2, "v": [1.0000002, 0.47283125], "f": 0.007897881}])
bad("float_out_of_range", SF, '[{"id": 1, "v": [1, 2], "f": 1, "d": 1}, @@{"id": 2, "v": [1, 2], "f": 3.4e39, "d": 1}]',
    at(1, 'field "f"', "finite 32-bit float", "3.4e39"))
bad("float_just_above_max", SF, '[@@{"id": 1, "v": [1, 2], "f": 3.4028236e38, "d": 1}]',
    at(0, 'field "f"', "finite 32-bit float", "3.4028236e38"))
bad("float_string", SF, '[@@{"id": 1, "v": [1, 2], "f": "1.5", "d": 1}]', at(0, 'field "f"', "a number", 'string "1.5"'))
bad("double_out_of_range", SF, '[@@{"id": 1, "v": [1, 2], "f": 1, "d": -1e309}]', at(0, 'field "d"', "finite 64-bit float", "-1e309"))
bad("double_bool", SF, '[@@{"id": 1, "v": [1, 2], "f": 1, "d": true}]', at(0, 'field "d"', "a number", "boolean true"))

# ---------------------------------------------------------------- VarChar
SV = schema([f("s", "VarChar", elementTypeParams={"max_length": 6})])
ok("varchar_utf8_bytes", SV,
   '[{"id": 1, "v": [1, 2], "s": "日本"}, {"id": 2, "v": [1, 2], "s": "abcdef"},'
   ' {"id": 3, "v": [1, 2], "s": "\\u00e9\\u00e9\\u00e9"}, {"id": 4, "v": [1, 2], "s": "a\\"b\\\\c\\n"},'
   ' {"id": 5, "v": [1, 2], "s": ""}, {"id": 6, "v": [1, 2], "s": "\\ud83d\\ude00\\/"}]',
   [{"id": 1, "v": [1.0, 2.0], "s": "日本"}, {"id": 2, "v": [1.0, 2.0], "s": "abcdef"},
    {"id": 3, "v": [1.0, 2.0], "s": "ééé"}, {"id": 4, "v": [1.0, 2.0], "s": "a\"b\\c\n"},
    {"id": 5, "v": [1.0, 2.0], "s": ""}, {"id": 6, "v": [1.0, 2.0], "s": "😀/"}])
bad("varchar_too_long_multibyte", SV, '[{"id": 1, "v": [1, 2], "s": "abc"}, @@{"id": 2, "v": [1, 2], "s": "日本語"}]',
    at(1, 'field "s"', "at most 6 UTF-8 bytes", "9 bytes"))
bad("varchar_not_string", SV, '[@@{"id": 1, "v": [1, 2], "s": 12}]', at(0, 'field "s"', "a string", "integer 12"))
bad("varchar_lone_surrogate", SV, '[@@{"id": 1, "v": [1, 2], "s": "\\ud800"}]', at(0, "a valid JSON row", "invalid JSON"))
bad("varchar_primary_key_number", schema([f("pk", "VarChar", isPrimary=True, elementTypeParams={"max_length": 8}), V], base=False),
    '[@@{"pk": 1, "v": [1, 2]}]', at(0, 'field "pk"', "a string", "integer 1"))
ok("varchar_primary_key", schema([f("pk", "VarChar", isPrimary=True, elementTypeParams={"max_length": 8}), V], base=False),
   '[{"pk": "a", "v": [1, 2]}, {"pk": "b", "v": [3, 4]}]', [{"pk": "a", "v": [1.0, 2.0]}, {"pk": "b", "v": [3.0, 4.0]}])

# ---------------------------------------------------------------- JSON fields
SJ = schema([f("j", "JSON")])
ok("json_field_object_or_string", SJ,
   '[{"id": 1, "v": [1, 2], "j": {"b": 1, "a": [true, null, "x"], "c": {"z": 0.5, "y": -1}}},\n'
   ' {"id": 2, "v": [1, 2], "j": "{\\"k\\": 9007199254740993}"},\n'
   ' {"id": 3, "v": [1, 2], "j": "[1, 2]"},\n'
   ' {"id": 4, "v": [1, 2], "j": {"big": 12345678901234567890, "neg": -9223372036854775808}},\n'
   ' {"id": 5, "v": [1, 2], "j": {}}]',
   [{"id": 1, "v": [1.0, 2.0], "j": {"a": [True, None, "x"], "b": 1, "c": {"y": -1, "z": 0.5}}},
    {"id": 2, "v": [1.0, 2.0], "j": {"k": 9007199254740993}},
    {"id": 3, "v": [1.0, 2.0], "j": [1, 2]},
    {"id": 4, "v": [1.0, 2.0], "j": {"big": 12345678901234567890, "neg": -9223372036854775808}},
    {"id": 5, "v": [1.0, 2.0], "j": {}}])
bad("json_field_number", SJ, '[@@{"id": 1, "v": [1, 2], "j": 5}]', at(0, 'field "j"', "a JSON object or a string holding JSON", "integer 5"))
bad("json_field_array", SJ, '[@@{"id": 1, "v": [1, 2], "j": [1]}]', at(0, 'field "j"', "a JSON object or a string holding JSON", "a list of 1 values"))
bad("json_field_bad_string", SJ, '[@@{"id": 1, "v": [1, 2], "j": "{\\"a\\":"}]', at(0, 'field "j"', "a JSON object or a string holding JSON", "not JSON"))

# ---------------------------------------------------------------- FloatVector
ok("float_vector_values", B,
   '[{"id": 1, "v": [1, -2]}, {"id": 2, "v": [1e-3, 2.5E+2]}, {"id": 3, "v": [3.4028235e38, -0.0]},'
   ' {"id": 4, "v": [0.47283125, 1e-45]}]',
   [{"id": 1, "v": [1.0, -2.0]}, {"id": 2, "v": [0.001, 250.0]}, {"id": 3, "v": [3.4028235e38, -0.0]},
    {"id": 4, "v": [0.47283125, 1e-45]}])
bad("float_vector_wrong_dim", B, '[{"id": 1, "v": [1, 2]}, @@{"id": 2, "v": [1, 2, 3]}]', at(1, 'field "v"', "expected 2 floats", "found 3"))
bad("float_vector_not_number", B, '[@@{"id": 1, "v": [1, "2"]}]', at(0, 'field "v"', "a number", 'string "2"'))
bad("float_vector_overflow", B, '[@@{"id": 1, "v": [3.4028236e38, 0]}]', at(0, 'field "v"', "finite 32-bit float", "3.4028236e38"))
bad("float_vector_null", B, '[@@{"id": 1, "v": null}]', at(0, 'field "v"', "a list of 2 floats", "null"))
bad("float_vector_missing", B, '[@@{"id": 1}]', at(0, 'field "v"', "FloatVector(2)", "missing"))

# ---------------------------------------------------------------- BinaryVector
SBV = schema([f("bv", "BinaryVector", elementTypeParams={"dim": 16})])
ok("binary_vector_bytes", SBV, '[{"id": 1, "v": [1, 2], "bv": [0, 255]}, {"id": 2, "v": [1, 2], "bv": [170, 1]}]',
   [{"id": 1, "v": [1.0, 2.0], "bv": [0, 255]}, {"id": 2, "v": [1.0, 2.0], "bv": [170, 1]}])
bad("binary_vector_value_range", SBV, '[@@{"id": 1, "v": [1, 2], "bv": [256, 0]}]', at(0, 'field "bv"', "uint8", "256"))
bad("binary_vector_negative", SBV, '[@@{"id": 1, "v": [1, 2], "bv": [0, -1]}]', at(0, 'field "bv"', "uint8", "-1"))
bad("binary_vector_float", SBV, '[@@{"id": 1, "v": [1, 2], "bv": [0, 1.5]}]', at(0, 'field "bv"', "uint8", "1.5"))
bad("binary_vector_wrong_length", SBV, '[@@{"id": 1, "v": [1, 2], "bv": [1, 2, 3]}]', at(0, 'field "bv"', "expected 2 uint8 values", "found 3"))

# ---------------------------------------------------------------- Int8Vector (Milvus 2.6)
SI8 = schema([f("i8v", "Int8Vector", elementTypeParams={"dim": 3})])
ok("int8_vector", SI8, '[{"id": 1, "v": [1, 2], "i8v": [-128, 0, 127]}, {"id": 2, "v": [1, 2], "i8v": [5, -5, 1]}]',
   [{"id": 1, "v": [1.0, 2.0], "i8v": [-128, 0, 127]}, {"id": 2, "v": [1.0, 2.0], "i8v": [5, -5, 1]}])
bad("int8_vector_value_range", SI8, '[{"id": 1, "v": [1, 2], "i8v": [1, 2, 3]}, @@{"id": 2, "v": [1, 2], "i8v": [0, 128, 0]}]',
    at(1, 'field "i8v"', "-128..=127", "128"))
bad("int8_vector_below_range", SI8, '[@@{"id": 1, "v": [1, 2], "i8v": [-129, 0, 0]}]', at(0, 'field "i8v"', "-128..=127", "-129"))
bad("int8_vector_float", SI8, '[@@{"id": 1, "v": [1, 2], "i8v": [0, 1.5, 0]}]', at(0, 'field "i8v"', "Int8Vector", "1.5"))
bad("int8_vector_string", SI8, '[@@{"id": 1, "v": [1, 2], "i8v": [0, "1", 0]}]', at(0, 'field "i8v"', "Int8Vector"))
bad("int8_vector_wrong_length", SI8, '[@@{"id": 1, "v": [1, 2], "i8v": [1, 2]}]', at(0, 'field "i8v"', "expected 3 integers", "found 2"))

# ---------------------------------------------------------------- Geometry, Timestamptz (Milvus 2.6)
SG = schema([f("g", "Geometry", nullable=True)])
ok("geometry_wkt", SG, '[{"id": 1, "v": [1, 2], "g": "POINT (1 2)"}, {"id": 2, "v": [1, 2], "g": "linestring(0 0, 1 1.5)"},'
   ' {"id": 3, "v": [1, 2], "g": "POLYGON ((0 0, 1 0, 1 1, 0 0))"}, {"id": 4, "v": [1, 2], "g": null}]',
   [{"id": 1, "v": [1.0, 2.0], "g": "POINT(1 2)"}, {"id": 2, "v": [1.0, 2.0], "g": "LINESTRING(0 0,1 1.5)"},
    {"id": 3, "v": [1.0, 2.0], "g": "POLYGON((0 0,1 0,1 1,0 0))"}, {"id": 4, "v": [1.0, 2.0], "g": None}])
bad("geometry_not_wkt", SG, '[{"id": 1, "v": [1, 2], "g": "POINT (1 2)"}, @@{"id": 2, "v": [1, 2], "g": "CIRCLE (1 2)"}]',
    at(1, 'field "g"', "expected WKT text", "CIRCLE (1 2)"))
bad("geometry_number", SG, '[@@{"id": 1, "v": [1, 2], "g": 5}]', at(0, 'field "g"', "expected WKT text", "integer 5"))
ST = schema([f("ts", "Timestamptz")])
ok("timestamptz_iso", ST, '[{"id": 1, "v": [1, 2], "ts": "2025-01-31T08:30:00+08:00"}, {"id": 2, "v": [1, 2], "ts": "2025-01-31"},'
   ' {"id": 3, "v": [1, 2], "ts": "2025-01-31 00:00:00.123456Z"}, {"id": 4, "v": [1, 2], "ts": "1969-12-31T23:59:59.5"}]',
   [{"id": 1, "v": [1.0, 2.0], "ts": "2025-01-31T00:30:00.000000Z"}, {"id": 2, "v": [1.0, 2.0], "ts": "2025-01-31T00:00:00.000000Z"},
    {"id": 3, "v": [1.0, 2.0], "ts": "2025-01-31T00:00:00.123456Z"}, {"id": 4, "v": [1.0, 2.0], "ts": "1969-12-31T23:59:59.500000Z"}])
bad("timestamptz_beyond_microseconds", ST, '[@@{"id": 1, "v": [1, 2], "ts": "2025-01-31T00:00:00.1234567Z"}]',
    at(0, 'field "ts"', "at most microsecond precision", "2025-01-31T00:00:00.1234567Z"))
bad("timestamptz_not_iso", ST, '[@@{"id": 1, "v": [1, 2], "ts": "31/01/2025"}]', at(0, 'field "ts"', "ISO-8601", "31/01/2025"))
bad("timestamptz_number", ST, '[@@{"id": 1, "v": [1, 2], "ts": 1738281600}]', at(0, 'field "ts"', "ISO-8601", "integer 1738281600"))

# ---------------------------------------------------------------- Array of Struct (Milvus 2.6.4)
SS = schema([f("chunks", "ArrayOfStruct", elementTypeParams={"max_capacity": 2}, structFields=[
    f("text", "VarChar", elementTypeParams={"max_length": 8}),
    f("n", "Int32"),
    f("emb", "FloatVector", elementTypeParams={"dim": 2})])])
ok("array_of_struct", SS,
   '[{"id": 1, "v": [1, 2], "chunks": [{"text": "a", "n": 1, "emb": [1, 2]}, {"emb": [3.5, 4], "n": -2, "text": "b"}]},\n'
   ' {"id": 2, "v": [1, 2], "chunks": []}]',
   [{"id": 1, "v": [1.0, 2.0], "chunks": [{"text": "a", "n": 1, "emb": [1.0, 2.0]}, {"text": "b", "n": -2, "emb": [3.5, 4.0]}]},
    {"id": 2, "v": [1.0, 2.0], "chunks": []}])
S1 = '{"text": "a", "n": 1, "emb": [1, 2]}'
bad("array_of_struct_over_capacity", SS, f'[@@{{"id": 1, "v": [1, 2], "chunks": [{S1}, {S1}, {S1}]}}]',
    at(0, 'field "chunks"', "at most 2 elements (max_capacity)", "3 elements"))
bad("array_of_struct_missing_member", SS, '[@@{"id": 1, "v": [1, 2], "chunks": [{"text": "a", "n": 1}]}]',
    at(0, 'field "chunks[emb]"', "FloatVector(2)", "no value (struct 0)"))
bad("array_of_struct_unknown_key", SS, f'[@@{{"id": 1, "v": [1, 2], "chunks": [{{"text": "a", "n": 1, "emb": [1, 2], "x": 1}}]}}]',
    at(0, 'field "chunks"', "text, n, emb", 'the key "x" (struct 0)'))
bad("array_of_struct_member_type", SS, f'[@@{{"id": 1, "v": [1, 2], "chunks": [{S1}, {{"text": 5, "n": 1, "emb": [1, 2]}}]}}]',
    at(0, 'field "chunks[text]"', "a string", "(struct 1)"))
bad("array_of_struct_member_dim", SS, f'[@@{{"id": 1, "v": [1, 2], "chunks": [{{"text": "a", "n": 1, "emb": [1, 2, 3]}}]}}]',
    at(0, 'field "chunks[emb]"', "expected 2 floats", "3 (struct 0)"))
bad("array_of_struct_not_objects", SS, '[@@{"id": 1, "v": [1, 2], "chunks": [[1, 2]]}]',
    at(0, 'field "chunks"', "a list of objects", "(struct 0)"))

# ---------------------------------------------------------------- function output fields (Milvus 2.5)
SFN = schema([f("text", "VarChar", elementTypeParams={"max_length": 32}), f("sp", "SparseFloatVector")])
SFN["schema"]["functions"] = [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"],
                              "outputFieldNames": ["sp"], "params": {}}]
ok("function_output_absent", SFN, '[{"id": 1, "v": [1, 2], "text": "a rose"}, {"id": 2, "v": [1, 2], "text": "is a rose"}]',
   [{"id": 1, "v": [1.0, 2.0], "text": "a rose"}, {"id": 2, "v": [1.0, 2.0], "text": "is a rose"}])
bad("function_output_given", SFN, '[@@{"id": 1, "v": [1, 2], "text": "a rose", "sp": {"1": 0.5}}]',
    at(0, 'field "sp"', 'output of function "bm25"'))

# ---------------------------------------------------------------- Float16 / BFloat16
SH = schema([f("h", "Float16Vector", elementTypeParams={"dim": 3})])
ok("float16_vector", SH, '[{"id": 1, "v": [1, 2], "h": [1, 0.1, 65504]}, {"id": 2, "v": [1, 2], "h": [-2, 6.1035156e-5, 1e-8]},'
   ' {"id": 3, "v": [1, 2], "h": [65519, 0.000000059604645, 3]}]',
   [{"id": 1, "v": [1.0, 2.0], "h": [1.0, 0.099975586, 65504.0]},
    {"id": 2, "v": [1.0, 2.0], "h": [-2.0, 6.1035156e-5, 0.0]},
    {"id": 3, "v": [1.0, 2.0], "h": [65504.0, 5.9604645e-8, 3.0]}])
bad("float16_overflow", SH, '[@@{"id": 1, "v": [1, 2], "h": [1, 70000, 2]}]', at(0, 'field "h"', "fits Float16Vector", "70000"))
bad("float16_wrong_dim", SH, '[@@{"id": 1, "v": [1, 2], "h": [1, 2]}]', at(0, 'field "h"', "expected 3 floats", "found 2"))
SBF = schema([f("bf", "BFloat16Vector", elementTypeParams={"dim": 3})])
ok("bfloat16_vector", SBF, '[{"id": 1, "v": [1, 2], "bf": [1, 0.1, 257]}, {"id": 2, "v": [1, 2], "bf": [-1.5, 3e38, 0]}]',
   [{"id": 1, "v": [1.0, 2.0], "bf": [1.0, 0.100097656, 256.0]},
    {"id": 2, "v": [1.0, 2.0], "bf": [-1.5, 3.0040553e38, 0.0]}])
bad("bfloat16_overflow", SBF, '[@@{"id": 1, "v": [1, 2], "bf": [1, 2, 3.4e38]}]', at(0, 'field "bf"', "fits BFloat16Vector", "3.4e38"))

# ---------------------------------------------------------------- Array
SA = schema([
    f("ai", "Array", elementDataType="Int8", elementTypeParams={"max_capacity": 3}),
    f("as", "Array", elementDataType="VarChar", elementTypeParams={"max_capacity": 2, "max_length": 3}),
    f("ad", "Array", elementDataType="Double", elementTypeParams={"max_capacity": 2}),
    f("ab", "Array", elementDataType="Bool", elementTypeParams={"max_capacity": 2}),
    f("af", "Array", elementDataType="Float", elementTypeParams={"max_capacity": 2}),
    f("al", "Array", elementDataType="Int64", elementTypeParams={"max_capacity": 2}),
])


def arr_row(i, **kw):
    vals = {"ai": "[]", "as": "[]", "ad": "[]", "ab": "[]", "af": "[]", "al": "[]"}
    vals.update(kw)
    return f'{{"id": {i}, "v": [1, 2], ' + ", ".join(f'"{k}": {v}' for k, v in vals.items()) + "}"


ok("array_fields", SA, "[" + arr_row(1, ai="[-128, 127, 0]", **{"as": '["abc", "é"]'}, ad="[1e300, 2]", ab="[true, false]",
                                     af="[0.1, 1]", al="[9007199254740993, -1]") + ",\n " + arr_row(2) + "]",
   [{"id": 1, "v": [1.0, 2.0], "ai": [-128, 127, 0], "as": ["abc", "é"], "ad": [1e300, 2.0], "ab": [True, False],
     "af": [0.1, 1.0], "al": [9007199254740993, -1]},
    {"id": 2, "v": [1.0, 2.0], "ai": [], "as": [], "ad": [], "ab": [], "af": [], "al": []}])
bad("array_element_type", SA, "[" + arr_row(1) + ", @@" + arr_row(2, al='[1, "2"]') + "]", at(1, 'field "al"', "array elements", "an integer", 'string "2"'))
bad("array_over_capacity", SA, "[@@" + arr_row(1, ai="[1, 2, 3, 4]") + "]", at(0, 'field "ai"', "at most 3 elements", "4 elements"))
bad("array_int8_element_range", SA, "[@@" + arr_row(1, ai="[1, 200]") + "]", at(0, 'field "ai"', "Int8", "200"))
bad("array_varchar_element_too_long", SA, "[@@" + arr_row(1, **{"as": '["ab", "日本"]'}) + "]", at(0, 'field "as"', "at most 3 UTF-8 bytes", "found 6 bytes"))
bad("array_not_list", SA, "[@@" + arr_row(1, ab="true") + "]", at(0, 'field "ab"', "a list", "boolean true"))
bad("array_float_element_overflow", SA, "[@@" + arr_row(1, af="[1e39]") + "]", at(0, 'field "af"', "finite 32-bit float", "1e39"))

# ---------------------------------------------------------------- SparseFloatVector
SS = schema([f("sp", "SparseFloatVector")])
ok("sparse_vector_both_forms", SS,
   '[{"id": 1, "v": [1, 2], "sp": {"indices": [5, 1], "values": [0.5, 2]}},\n'
   ' {"id": 2, "v": [1, 2], "sp": {"3": 1.5, "0": 0}},\n'
   ' {"id": 3, "v": [1, 2], "sp": {}},\n'
   ' {"id": 4, "v": [1, 2], "sp": {"4294967294": 3.4028235e38}}]',
   [{"id": 1, "v": [1.0, 2.0], "sp": {"1": 2.0, "5": 0.5}},
    {"id": 2, "v": [1.0, 2.0], "sp": {"0": 0.0, "3": 1.5}},
    {"id": 3, "v": [1.0, 2.0], "sp": {}},
    {"id": 4, "v": [1.0, 2.0], "sp": {"4294967294": 3.4028235e38}}])
bad("sparse_negative_value", SS, '[@@{"id": 1, "v": [1, 2], "sp": {"1": -0.5}}]', at(0, 'field "sp"', "non-negative", "-0.5"))
bad("sparse_duplicate_index", SS, '[@@{"id": 1, "v": [1, 2], "sp": {"indices": [1, 1], "values": [1, 2]}}]', at(0, 'field "sp"', "distinct sparse indices"))
bad("sparse_bad_key", SS, '[@@{"id": 1, "v": [1, 2], "sp": {"x": 1}}]', at(0, 'field "sp"', "sparse vector", 'key "x"'))
bad("sparse_index_too_large", SS, '[@@{"id": 1, "v": [1, 2], "sp": {"indices": [4294967295], "values": [1]}}]', at(0, 'field "sp"', "0..2^32-1", "4294967295"))
bad("sparse_length_mismatch", SS, '[@@{"id": 1, "v": [1, 2], "sp": {"indices": [1, 2], "values": [1]}}]', at(0, 'field "sp"', "as many values as indices", "2 indices, 1 values"))
bad("sparse_not_object", SS, '[@@{"id": 1, "v": [1, 2], "sp": [1, 2]}]', at(0, 'field "sp"', "sparse vector", "a list of 2 values"))

# ---------------------------------------------------------------- nullable and defaults
SN = schema([f("nb", "Bool", nullable=True), f("ns", "VarChar", nullable=True, elementTypeParams={"max_length": 4}),
             f("nj", "JSON", nullable=True),
             f("na", "Array", nullable=True, elementDataType="Int32", elementTypeParams={"max_capacity": 2})])
ok("nullable_missing_or_null", SN,
   '[{"id": 1, "v": [1, 2]},\n'
   ' {"id": 2, "v": [1, 2], "nb": null, "ns": null, "nj": null, "na": null},\n'
   ' {"id": 3, "v": [1, 2], "nb": false, "ns": "abcd", "nj": {"a": null}, "na": [1, -1]}]',
   [{"id": 1, "v": [1.0, 2.0], "nb": None, "ns": None, "nj": None, "na": None},
    {"id": 2, "v": [1.0, 2.0], "nb": None, "ns": None, "nj": None, "na": None},
    {"id": 3, "v": [1.0, 2.0], "nb": False, "ns": "abcd", "nj": {"a": None}, "na": [1, -1]}])
bad("nullable_wrong_type", SN, '[@@{"id": 1, "v": [1, 2], "ns": 5}]', at(0, 'field "ns"', "a string", "integer 5"))
SD = schema([f("di", "Int32", defaultValue=7), f("ds", "VarChar", defaultValue="x", elementTypeParams={"max_length": 4}),
             f("df", "Float", defaultValue=0.5), f("db", "Bool", defaultValue=True)])
ok("default_values", SD,
   '[{"id": 1, "v": [1, 2]},\n'
   ' {"id": 2, "v": [1, 2], "di": null, "ds": null, "df": null, "db": null},\n'
   ' {"id": 3, "v": [1, 2], "di": -1, "ds": "yz", "df": 2, "db": false}]',
   [{"id": 1, "v": [1.0, 2.0], "di": 7, "ds": "x", "df": 0.5, "db": True},
    {"id": 2, "v": [1.0, 2.0], "di": 7, "ds": "x", "df": 0.5, "db": True},
    {"id": 3, "v": [1.0, 2.0], "di": -1, "ds": "yz", "df": 2.0, "db": False}])
bad("default_wrong_type", SD, '[@@{"id": 1, "v": [1, 2], "di": "7"}]', at(0, 'field "di"', "an integer", 'string "7"'))

# ---------------------------------------------------------------- presence, auto-id, dynamic
SW = schema([f("w", "Int64")])
bad("missing_field", SW, '[{"id": 1, "v": [1, 2], "w": 3}, @@{"id": 2, "v": [1, 2]}]', at(1, 'field "w"', "an Int64 value", "missing"))
bad("missing_field_jsonl", SW, '{"id": 1, "v": [1, 2], "w": 3}\n\n@@{"id": 2, "v": [1, 2]}\n', at(1, 'field "w"', "missing", jsonl=True), fmt="jsonl")
SAUTO = schema([f("w", "Int64")], auto_id=True)
ok("auto_id_primary_key", SAUTO, '[{"v": [1, 2], "w": 10}, {"v": [3, 4], "w": 20}]',
   [{"v": [1.0, 2.0], "w": 10}, {"v": [3.0, 4.0], "w": 20}])
bad("auto_id_primary_key_given", SAUTO, '[{"v": [1, 2], "w": 10}, @@{"id": 5, "v": [3, 4], "w": 20}]', at(1, 'field "id"', "auto-generated", "integer 5"))
bad("unknown_field_not_dynamic", SW, '[@@{"id": 1, "v": [1, 2], "w": 3, "extra": 1}]', at(0, 'field "extra"', "no dynamic field", 'unknown field "extra"'))
bad("meta_field_not_dynamic", SW, '[@@{"id": 1, "v": [1, 2], "w": 3, "$meta": {}}]', at(0, 'field "$meta"', "no dynamic field"))
SDY = schema([f("w", "Int64")], dynamic=True)
ok("dynamic_extra_keys", SDY,
   '[{"id": 1, "v": [1, 2], "w": 1, "color": "red", "n": 9007199254740993, "obj": {"b": 1, "a": [2]}, "f": 0.1, "huge": 123456789012345678901234567890},\n'
   ' {"id": 2, "v": [1, 2], "w": 2}]',
   [{"id": 1, "v": [1.0, 2.0], "w": 1, "color": "red", "n": 9007199254740993, "obj": {"a": [2], "b": 1}, "f": 0.1, "huge": 1.2345678901234568e29},
    {"id": 2, "v": [1.0, 2.0], "w": 2}])
ok("meta_object_merge", SDY,
   '[{"id": 1, "v": [1, 2], "w": 1, "$meta": {"a": 1, "z": {"q": true}}, "b": "x"},\n'
   ' {"id": 2, "v": [1, 2], "w": 2, "$meta": {}}]',
   [{"id": 1, "v": [1.0, 2.0], "w": 1, "a": 1, "b": "x", "z": {"q": True}},
    {"id": 2, "v": [1.0, 2.0], "w": 2}])
ok("meta_string_merge", SDY,
   '[{"id": 1, "v": [1, 2], "w": 1, "$meta": "{\\"a\\": 9007199254740993}", "b": 2},\n'
   ' {"id": 2, "v": [1, 2], "w": 2, "$meta": "{}"}]',
   [{"id": 1, "v": [1.0, 2.0], "w": 1, "a": 9007199254740993, "b": 2},
    {"id": 2, "v": [1.0, 2.0], "w": 2}])
bad("meta_duplicate_key", SDY, '[{"id": 1, "v": [1, 2], "w": 1}, @@{"id": 2, "v": [1, 2], "w": 2, "$meta": {"a": 1}, "a": 2}]',
    at(1, 'field "a"', "each dynamic key once", "both in $meta and at the top level"))
bad("meta_string_duplicate_key", SDY, '[@@{"id": 1, "v": [1, 2], "w": 2, "a": 2, "$meta": "{\\"a\\": 1}"}]',
    at(0, 'field "a"', "each dynamic key once", "both in $meta and at the top level"))
bad("meta_not_object", SDY, '[@@{"id": 1, "v": [1, 2], "w": 1, "$meta": 5}]', at(0, 'field "$meta"', "a JSON object or a string holding one", "integer 5"))
bad("meta_string_not_object", SDY, '[@@{"id": 1, "v": [1, 2], "w": 1, "$meta": "[1]"}]', at(0, 'field "$meta"', "a JSON object or a string holding one", "a list"))
bad("meta_string_not_json", SDY, '[@@{"id": 1, "v": [1, 2], "w": 1, "$meta": "{x"}]', at(0, 'field "$meta"', "a JSON object or a string holding one", "not JSON"))

write()
print(len(CASES), "cases")
