"""Figures for print (b12cohort.figures._print through the one saver, and the report's options).

Sizes are checked against the definitions: a figure ``W`` mm wide is ``W / 25.4 * dpi``
pixels wide in PNG and TIFF (within 1 px: the canvas is a whole number of pixels) and
``W / 25.4 * 72`` points wide in PDF. The TIFF's resolution tag, mode and compression
are read back with Pillow; the PDF's fonts are read from its font descriptors.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
import warnings
import zlib

import matplotlib.pyplot as plt
import pytest
from conftest import fresh_interpreter_runs, sha256
from PIL import Image

import b12cohort
from b12cohort import ArgumentError
from b12cohort.cli import main
from b12cohort.figures import plot_b12_vs_hb, plot_course, plot_prevalence, save_figure
from b12cohort.figures._print import JOURNAL_COLUMNS, check_print_options

FORMATS = ["png", "svg", "pdf", "tiff"]


@pytest.fixture(scope="module")
def example():
    return b12cohort.load_example()


def _draw(example, name="prevalence"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", b12cohort.B12CohortWarning)
        if name == "course":
            return plot_course(example)[0]
        return {"prevalence": plot_prevalence, "b12_vs_hb": plot_b12_vs_hb}[name](example)


def _pdf_objects(data: bytes) -> dict[int, bytes]:
    """The PDF's indirect objects by number (matplotlib writes them uncompressed, streams deflated)."""
    return {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(?s)(\d+) 0 obj\s*(.*?)endobj", data)
    }


def _pdf_page_size(data: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", data).group(1).split()
    x0, y0, x1, y1 = map(float, box)
    return x1 - x0, y1 - y0


def _pdf_embedded_fonts(data: bytes) -> list[tuple[str, bool]]:
    """(font name, embedded as TrueType) of every font descriptor: /FontFile2 names a stream."""
    objects = _pdf_objects(data)
    out = []
    for body in objects.values():
        if b"/Type /FontDescriptor" not in body:
            continue
        name = re.search(rb"/FontName\s*/([^\s/>]+)", body).group(1).decode()
        ref = re.search(rb"/FontFile2\s+(\d+)\s+0\s+R", body)
        embedded = False
        if ref is not None:
            stream = objects.get(int(ref.group(1)), b"")
            raw = stream.split(b"stream", 1)[1].split(b"endstream", 1)[0].strip(b"\r\n")
            font = zlib.decompress(raw) if b"/FlateDecode" in stream else raw
            embedded = font[:4] in (b"\x00\x01\x00\x00", b"true")  # a TrueType font program
        out.append((name, embedded))
    return out


# --------------------------------------------------------------------------- options
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, (("png", "svg", "pdf"), None)),
        ({"formats": "png,pdf,svg,tiff"}, (("png", "pdf", "svg", "tiff"), None)),
        ({"formats": [" TIFF", ".pdf", "tiff"]}, (("tiff", "pdf"), None)),
        ({"column": "single"}, (("png", "svg", "pdf"), 85.0)),
        ({"column": "double"}, (("png", "svg", "pdf"), 175.0)),
        ({"width_mm": "120"}, (("png", "svg", "pdf"), 120.0)),
        ({"width_mm": 40}, (("png", "svg", "pdf"), 40.0)),
    ],
)
def test_print_options_are_normalised(kwargs, expected):
    formats = kwargs.pop("formats", None)
    assert check_print_options(formats, **kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"formats": "png,jpg"}, r"one or more of png, svg, pdf, tiff.*got 'jpg'"),
        ({"formats": ""}, r"one or more of"),
        ({"formats": []}, r"one or more of"),
        ({"width_mm": 39.9}, r"from 40 to 250; got 39\.9"),
        ({"width_mm": "wide"}, r"millimetres from 40 to 250; got 'wide'"),
        ({"width_mm": float("nan")}, r"from 40 to 250"),
        ({"width_mm": True}, r"from 40 to 250"),
        ({"column": "triple"}, r"'single' or 'double' \(single: 85 mm, double: 175 mm\)"),
        ({"width_mm": 85, "column": "single"}, r"not both"),
    ],
)
def test_print_options_errors_name_the_argument_and_the_fix(kwargs, match):
    formats = kwargs.pop("formats", None)
    with pytest.raises(ArgumentError, match=match):
        check_print_options(formats, **kwargs)


# --------------------------------------------------------------------------- files
@pytest.mark.parametrize("column", ["single", pytest.param("double", marks=pytest.mark.slow)])
def test_every_format_has_the_requested_width(example, tmp_path, column):
    ax = _draw(example)
    files = save_figure(ax, tmp_path / "prevalence", formats=FORMATS, column=column)
    assert [f.name for f in files] == [f"prevalence.{f}" for f in FORMATS]
    inches = JOURNAL_COLUMNS[column] / 25.4
    with Image.open(tmp_path / "prevalence.png") as png:
        assert abs(png.size[0] - inches * 300) <= 1
        assert png.info["dpi"] == pytest.approx((300, 300), abs=0.1)
    with Image.open(tmp_path / "prevalence.tiff") as tiff:
        assert abs(tiff.size[0] - inches * 600) <= 1
        assert tiff.info["dpi"] == pytest.approx((600, 600), abs=0.01)
        assert tiff.info["compression"] == "tiff_lzw"
        assert tiff.mode == "RGB"
        assert tiff.tag_v2[282] == pytest.approx(600) and tiff.tag_v2[296] == 2  # X res, inch
        assert 306 not in tiff.tag_v2  # no DateTime tag
        assert tiff.tag_v2[270].startswith("Dot-and-interval plot")  # the alt text
        assert tiff.tag_v2[305] == "b12cohort"  # Software, not a version
        # heights follow the figure's aspect: the TIFF and the PNG draw the same picture
        assert tiff.size[1] / tiff.size[0] == pytest.approx(png.size[1] / png.size[0], abs=2e-3)
    width_pt, height_pt = _pdf_page_size((tmp_path / "prevalence.pdf").read_bytes())
    assert width_pt == pytest.approx(inches * 72, abs=0.01)
    assert height_pt / width_pt == pytest.approx(png.size[1] / png.size[0], abs=2e-3)
    svg = (tmp_path / "prevalence.svg").read_text("utf-8")
    svg_width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
    assert svg_width == pytest.approx(inches * 72, abs=0.01)
    assert "<text" in svg and "19/19" in svg  # text kept as text


@pytest.mark.parametrize("width_mm", [60.0, 130.5])
def test_a_width_in_millimetres_is_honoured_and_text_keeps_its_size(example, tmp_path, width_mm):
    ax = _draw(example, "b12_vs_hb")
    (pdf,) = save_figure(ax, tmp_path / "b12", formats="pdf", width_mm=width_mm)
    assert _pdf_page_size(pdf.read_bytes())[0] == pytest.approx(width_mm / 25.4 * 72, abs=0.01)
    (svg,) = save_figure(ax, tmp_path / "b12", formats="svg", width_mm=width_mm)
    sizes = {float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg.read_text("utf-8"))}
    assert sizes and min(sizes) >= 7.5 and max(sizes) <= 10  # points, as drawn (not scaled)


def test_the_pdf_embeds_its_fonts_as_truetype(example, tmp_path):
    ax = _draw(example)
    (pdf,) = save_figure(ax, tmp_path / "prevalence.pdf", column="single")
    fonts = _pdf_embedded_fonts(pdf.read_bytes())
    assert fonts, "no font descriptor in the PDF"
    assert all(embedded for _, embedded in fonts), fonts
    # Type 42: TrueType outlines, as a CID-keyed TrueType font (CIDFontType2) or /TrueType
    assert re.search(rb"/Subtype /(CIDFontType2|TrueType)", pdf.read_bytes())
    assert b"/Subtype /Type3" not in pdf.read_bytes()  # no Type 3 (bitmap-like) fonts
    assert b"CreationDate" not in pdf.read_bytes()


def _pdf_font_programs(data: bytes) -> list[bytes]:
    objects = _pdf_objects(data)
    out = []
    for body in objects.values():
        ref = re.search(rb"/FontFile2\s+(\d+)\s+0\s+R", body)
        if b"/Type /FontDescriptor" in body and ref is not None:
            stream = objects[int(ref.group(1))]
            raw = stream.split(b"stream", 1)[1].split(b"endstream", 1)[0].strip(b"\r\n")
            out.append(zlib.decompress(raw) if b"/FlateDecode" in stream else raw)
    return out


def test_the_pdf_font_subset_has_the_glyphs_drawn_without_layout_tables(tmp_path):
    """figures._pdf_fonts: the embedded subset keeps outlines and names, drops GSUB/GPOS/kern."""
    import io

    from fontTools.ttLib import TTFont

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("Hb 95% CI")
    ax.set_xticks([])
    ax.set_yticks([])
    (pdf,) = save_figure(fig, tmp_path / "t.pdf")
    plt.close(fig)
    (program,) = _pdf_font_programs(pdf.read_bytes())
    font = TTFont(io.BytesIO(program))
    assert not {"GSUB", "GPOS", "GDEF", "kern"} & set(font.keys())
    names = set(font.getGlyphOrder())
    assert {"H", "b", "nine", "five", "percent", "C", "I"} <= names, names
    assert all(font["glyf"][g].numberOfContours != 0 for g in ("H", "b", "nine"))
    assert len(names) < 40  # a subset, not the whole font


def test_a_save_in_several_formats_restores_the_layout_engine(example, tmp_path):
    """The layout runs once for all the files of a save; the figure keeps its engine after."""
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([0, 1], [0, 1])
    engine = fig.get_layout_engine()
    save_figure(fig, tmp_path / "f", dpi=50)
    assert fig.get_layout_engine() is engine
    (single,) = save_figure(fig, tmp_path / "g.png", dpi=50)
    with Image.open(tmp_path / "f.png") as a, Image.open(single) as b:
        assert a.size == b.size  # the box measured once is the box one save measures
    plt.close(fig)


def test_saving_at_a_width_leaves_the_figure_as_it_was(example, tmp_path):
    ax = _draw(example, "b12_vs_hb")
    fig = ax.figure
    size, position = fig.get_size_inches().copy(), ax.get_position().frozen()
    legend = ax.get_legend()
    (before,) = save_figure(fig, tmp_path / "before.png", dpi=60)
    save_figure(fig, tmp_path / "print", formats="png,pdf,tiff", column="single", tiff_dpi=100)
    (after,) = save_figure(fig, tmp_path / "after.png", dpi=60)
    assert (fig.get_size_inches() == size).all()
    assert ax.get_position().bounds == pytest.approx(position.bounds)
    assert ax.get_legend() is legend
    assert sha256(before) == sha256(after)


def test_what_cannot_fit_the_width_is_said_not_cut_silently(tmp_path):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.annotate(
        "W" * 60, xy=(1, 0.5), xycoords="axes fraction", xytext=(4, 0), textcoords="offset points"
    )
    with pytest.warns(b12cohort.B12CohortWarning, match=r"at 40 mm wide .* needs \d+ mm"):
        (png,) = save_figure(fig, tmp_path / "wide.png", width_mm=40, dpi=100)
    with Image.open(png) as image:
        assert abs(image.size[0] - 40 / 25.4 * 100) <= 1  # the width asked for, still
    plt.close(fig)


def test_without_a_width_the_files_are_what_they_were(example, tmp_path):
    """The default output (the committed report's) does not change: same call, same bytes."""
    ax = _draw(example)
    a = save_figure(ax, tmp_path / "a", dpi=60)
    b = save_figure(ax, tmp_path / "b", formats=("png", "svg", "pdf"), dpi=60, width_mm=None)
    assert [f.suffix for f in a] == [".png", ".svg", ".pdf"]
    assert [sha256(x) for x in a] == [sha256(y) for y in b]


_SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys, warnings
    import matplotlib
    matplotlib.use("Agg")
    import b12cohort
    from b12cohort import figures
    warnings.simplefilter("ignore")
    data = b12cohort.load_example()
    out = {}
    for name in ("plot_prevalence", "plot_course"):
        ax = getattr(figures, name)(data)
        ax = ax[0] if name == "plot_course" else ax
        for column in (None, "single"):
            stem = f"{sys.argv[1]}/{name}_{column}"
            for path in figures.save_figure(ax, stem, formats="png,svg,pdf,tiff", column=column):
                out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_every_format_is_byte_identical_across_two_processes(tmp_path):
    outputs = fresh_interpreter_runs(_SCRIPT, tmp_path)
    assert len(outputs[0]) == 16  # 2 figures x 2 widths x 4 formats
    assert {name.rsplit(".", 1)[1] for name in outputs[0]} == set(FORMATS)
    assert outputs[0] == outputs[1]


# --------------------------------------------------------------------------- command line
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--figure-formats", "png,gif"], "got 'gif'"),
        (["--figure-formats", "pdf,tiff"], "must include svg or png"),
        (["--figure-width", "0"], "from 40 to 250; got '0'"),
        (["--figure-width", "narrow"], "from 40 to 250; got 'narrow'"),
    ],
)
def test_report_rejects_bad_figure_options_before_building(argv, message, tmp_path, capsys):
    out = tmp_path / "reports"
    code = main(["report", "--out", str(out), *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.startswith("error: report: the figure")
    assert not out.exists()  # nothing built


def test_width_and_column_together_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(
            ["report", "--out", str(tmp_path), "--figure-width", "85", "--journal-column", "single"]
        )
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--journal-column: not allowed with argument --figure-width" in err
    assert "Traceback" not in err
    with pytest.raises(SystemExit):
        main(["report", "--journal-column", "triple"])
    assert "invalid choice: 'triple'" in capsys.readouterr().err


# --------------------------------------------------------------------------- report
@pytest.fixture(scope="module")
def print_report(tmp_path_factory):
    from b12cohort.report import build_report

    out = tmp_path_factory.mktemp("print") / "reports"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", b12cohort.B12CohortWarning)
        build_report(out=out, figure_formats="png,pdf,svg,tiff", journal_column="single")
    return out


@pytest.mark.slow
def test_the_report_writes_records_and_links_the_print_files(print_report, tmp_path):
    from b12cohort.report import verify_report
    from b12cohort.report._check import EXIT_IDENTICAL, EXIT_RENDERING, compare_reports

    out = print_report
    manifest = json.loads((out / "MANIFEST.json").read_text("utf-8"))
    assert manifest["parameters"]["FIGURES"] == {
        "formats": ["png", "pdf", "svg", "tiff"],
        "column": "single",
    }
    figures = manifest["figures"]
    assert figures["width_mm"] == 85.0 and figures["journal_column"] == "single"
    assert figures["tiff"]["dpi"] == 600 and figures["tiff"]["compression"] == "LZW"
    assert figures["tiff"]["mode"] == "RGB" and figures["png_dpi"] == 300
    stems = sorted(p.stem for p in (out / "figures").glob("*.svg"))
    assert len(stems) >= 8
    for stem in stems:
        for fmt in FORMATS:
            name = f"figures/{stem}.{fmt}"
            assert name in manifest["outputs"], name
        with Image.open(out / "figures" / f"{stem}.tiff") as tiff:
            assert abs(tiff.size[0] - 85 / 25.4 * 600) <= 1, stem
    page = (out / "index.html").read_text("utf-8")
    lines = re.findall(r'<span class="files">(.*?)</span>', page)
    assert len(lines) == len(stems)  # one compact line per figure
    for line in lines:
        assert line.startswith("Print files (85 mm wide (single journal column)): ")
        assert re.findall(r">([^<]+)</a>", line) == ["PNG, 300 dpi", "PDF", "TIFF, 600 dpi"]
    for stem in stems:
        assert f'<a href="figures/{stem}.tiff">TIFF, 600 dpi</a>' in page
    assert verify_report(out).status == EXIT_IDENTICAL
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    tiff = copy / "figures" / f"{stems[0]}.tiff"
    data = bytearray(tiff.read_bytes())
    data[-1] ^= 0xFF
    tiff.write_bytes(bytes(data))
    assert verify_report(copy).status == EXIT_RENDERING
    result = compare_reports(out, copy)
    assert result.status == EXIT_RENDERING
    assert result.problems == ((f"figures/{stems[0]}.tiff", "differs"),)
