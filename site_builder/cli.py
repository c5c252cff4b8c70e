"""The `zuofang` command: parses arguments, calls the library, reports. No work happens here.

Options shared by several commands are declared once below; every library error reaches the
user through one wrapper (`Zuofang.invoke`), as a message without a traceback.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from .errors import ValidationFailed, ZuofangError

#: Where a build goes unless --out says otherwise; the Makefile's `make demo` uses it too.
DEFAULT_OUT = "build/site-out"

DATA_DIR = click.argument(
    "data_dir", required=False, default="data",
    type=click.Path(file_okay=False, path_type=Path),
)
#: OUT_DIR of a finished build, as `serve` and `qr` read it.
BUILT_OUT_DIR = click.argument(
    "out_dir", required=False, default=DEFAULT_OUT,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
AS_JSON = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出报告（供程序读取）。Print the report as JSON.")


class Zuofang(click.Group):
    """The command group; turns every library error into a message (no traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            from .validate.text import format_report

            click.echo(format_report(exc.report, exc.report.directory or "."), err=True)
            raise click.ClickException(str(exc)) from exc
        except ZuofangError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=Zuofang)
@click.version_option(package_name="zuofang")
@click.option("-v", "--verbose", is_flag=True, help="显示每个构建阶段的日志。Show stage logs.")
def cli(verbose):
    """Zuofang（作坊）：把食品“三小”登记数据发布为开放数据和公众网站。

    Turns a bureau's registry of small food businesses into validated open data,
    a SQLite database served by Datasette, a static site and QR codes.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


@cli.command()
@DATA_DIR
@AS_JSON
def validate(data_dir, as_json):
    """校验登记数据：类型、必填、枚举、外键和业务规则。

    Exit code 0 when DATA_DIR (default: data) is valid; otherwise every problem
    is listed with file, row, field and rule, and the exit code is 1.
    """
    from .validate.text import format_report
    from .validate.whole import validate_registry

    report = validate_registry(data_dir)
    click.echo(report.to_json() if as_json else format_report(report, data_dir))
    sys.exit(int(not report.valid))


#: How `zuofang build` judged the registry valid (build._validate).
JUDGED = {"same": "与上次构建的登记文件完全相同，无需再校验 same files as the last build",
          "changed": "只校验了上次构建以来新增或改动的行 only rows new since the last build",
          "all": "逐行校验全部数据 every row"}


@cli.command()
@DATA_DIR
@click.option("--out", "out_dir", default=DEFAULT_OUT, show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="输出目录：site/ 和 registry.db 写在这里。Output folder.")
@click.option("--pdf", is_flag=True,
              help="另为每个作坊生成标签纸和公示牌 PDF（默认只生成打印页 /w/<id>/labels/、/w/<id>/poster/）。"
                   "Also make each workshop's label sheet and poster as PDFs (slow on large registries).")
def build(data_dir, out_dir, pdf):
    """校验并构建：数据库、网站、二维码、检索和手册（原子替换）。

    Validates DATA_DIR, then builds OUT_DIR/registry.db and OUT_DIR/site/.
    A build that fails leaves an existing OUT_DIR exactly as it was.
    """
    from .build.pipeline import build as run_build

    ctx = run_build(data_dir, out_dir, pdf=pdf)
    timings = "，".join(f"{k} {v:.1f}s" for k, v in ctx.timings.items())
    click.echo(f"构建完成 Built: {out_dir}（{timings}）")
    click.echo(f"校验 Validated: {JUDGED[ctx.validation]}")
    if ctx.pages:
        click.echo(f"记录页面 Record pages: 渲染 rendered {ctx.pages['records']:,}，沿用 kept {ctx.pages['kept']:,}")


@cli.command()
@BUILT_OUT_DIR
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="端口：网站在 /，Datasette 在 /datasette/。Port for the site and, under /datasette/, Datasette.")
def serve(out_dir, host, port):
    """在本机同时提供网站和 Datasette。Serve the built site and Datasette on localhost.

    One process serves OUT_DIR/site and OUT_DIR/registry.db; after a new build into
    OUT_DIR it serves the new database too. Ctrl-C stops it.
    """
    from .serve.app import serve as run_serve

    run_serve(out_dir, host=host, port=port)


@cli.command("demo-data")
@click.option("--operators", "n_operators", default=320, show_default=True, type=click.IntRange(1),
              help="主体数量。Number of businesses.")
@click.option("--seed", default=2026, show_default=True, type=int, help="随机种子；相同参数输出相同文件。Random seed.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出目录。Folder to write the registry to.")
def demo_data(n_operators, seed, out_dir):
    """生成虚构的演示登记数据（确定性）。Write a synthetic, deterministic registry."""
    from .demo.data import write_demo_registry

    counts = write_demo_registry(out_dir, operators=n_operators, seed=seed)
    click.echo("，".join(f"{t} {n}" for t, n in counts.items()))


@cli.command("qr")
@BUILT_OUT_DIR
@click.option("--operator", "operator_id", default=None, metavar="ID",
              help="只生成这个食品小作坊的标签和公示牌。Only this workshop.")
@click.option("--pdf", is_flag=True, help="另生成标签纸和公示牌 PDF。Also make the PDFs.")
def qr_command(out_dir, operator_id, pdf):
    """重新生成二维码、标签和信息公示牌打印页。Regenerate QR codes, label and poster print pages.

    Reads OUT_DIR/registry.db and writes into OUT_DIR/site: qr/<code>.png|svg,
    the print pages w/<id>/labels/ and w/<id>/poster/ (with --pdf also labels/<id>.pdf and
    posters/<id>.pdf) and the GS1 Digital Link pages /01/<GTIN>/.
    Files are rewritten only when their content changes, and committed like a build's.
    """
    from .build.pipeline import refresh_qr

    summary = refresh_qr(out_dir, operator_id=operator_id, pdf=pdf)
    click.echo(f"二维码 {summary.codes} 个，作坊 {summary.workshops} 个（标签纸和公示牌），"
               f"GS1 页面 {summary.gs1_pages} 个；改写文件 {summary.written} 个。")


@cli.command("print")
@click.argument("kind", type=click.Choice(["labels", "posters"]))
@BUILT_OUT_DIR
@click.option("--operator", "operator_id", default=None, metavar="ID", help="这一个食品小作坊。One workshop.")
@click.option("--station", "station_id", default=None, metavar="ID",
              help="这个监管所负责的全部食品小作坊（stations 表的编号）。Every workshop the station supervises.")
@click.option("--region", "region_code", default=None, metavar="CODE",
              help="这个行政区划及其下级区划的全部食品小作坊（如市级代码含各县区）。"
                   "Every workshop in the region and the regions below it.")
@click.option("--out", "target", required=True, metavar="FILE.pdf",
              type=click.Path(),  # kept as typed: a trailing "/" means a folder, which is refused
              help="要写入的 PDF 文件（在 OUT_DIR 之外；已有的同名文件被替换）。The PDF to write.")
def print_command(kind, out_dir, operator_id, station_id, region_code, target):
    """把一批作坊的标签纸或信息公示牌印成一个 PDF。Print a batch of label sheets or posters as one PDF.

    KIND is labels (A4 sheets of 3 × 7 labels, 70 × 38 mm) or posters (信息公示牌, one
    A4 page each). Give exactly one of --operator, --station, --region. Reads
    OUT_DIR/registry.db (OUT_DIR is not changed) and writes one PDF, pages by station,
    then workshop id; print at 100 % (no scaling).
    """
    from .build.pipeline import print_pdf

    if sum(v is not None for v in (operator_id, station_id, region_code)) != 1:
        raise click.UsageError("请给出 --operator、--station、--region 中的一个。"
                               "Give exactly one of --operator, --station, --region.")
    printed = print_pdf(out_dir, kind, target, operator=operator_id, station=station_id, region=region_code)
    click.echo(f"已写入 Wrote {printed.path}：作坊 {printed.workshops} 个，{printed.pages} 页，"
               f"二维码 {printed.codes} 个，{printed.size / 1024:,.0f} KB（{printed.seconds:.1f}s）")


@cli.group("import")
def import_group():
    """导入监管部门已公开的抽检、行政处罚和行政许可文件。Import the files bureaus publish.

    Reads .xlsx, .xls, .csv (UTF-8 or GB18030) and .zip files as they come, places each
    row on a registered business, merges the records into the registry's CSV files and
    writes the rows it could not place to import-review.csv beside the data.
    Importing the same file twice changes nothing.
    """


def _import_options(command):
    # Applied bottom-up, so --help lists FILES, --data, --map, --dry-run, --json in this order.
    for decorate in (
        AS_JSON,
        click.option("--dry-run", is_flag=True, help="只报告，不写入任何文件。Report only, write nothing."),
        click.option("--map", "maps", multiple=True, metavar="表头=字段",
                     help="把文件中的表头当作认得的表头，如 --map 供应商=被抽样单位名称（可多次）。"
                          "Read a header as a known one."),
        click.option("--data", "data_dir", default="data", show_default=True,
                     type=click.Path(exists=True, file_okay=False, path_type=Path),
                     help="登记数据目录（含 datapackage.json）。Registry folder."),
        click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)),
    ):
        command = decorate(command)
    return command


def _run_import(kind, files, data_dir, maps, dry_run, as_json):
    from .importers.report import format_report
    from .importers.run import run_import

    report = run_import(kind, list(files), data_dir, maps, dry_run=dry_run)
    click.echo(report.to_json() if as_json else format_report(report))


@import_group.command("sampling")
@_import_options
def import_sampling(files, data_dir, maps, dry_run, as_json):
    """导入食品安全监督抽检信息（合格、不合格、混合名单）。Import sampling notices.

    National 不合格 layout, provincial single-cell layout (不合格项目║检验结果║标准值),
    合格 lists and lists with a verdict per tested item.
    """
    _run_import("sampling", files, data_dir, maps, dry_run, as_json)


@import_group.command("penalties")
@_import_options
def import_penalties(files, data_dir, maps, dry_run, as_json):
    """导入“双公示”行政处罚信息。Import 双公示 penalty exports (amounts in 万元 become yuan)."""
    _run_import("penalties", files, data_dir, maps, dry_run, as_json)


@import_group.command("licences")
@_import_options
def import_licences(files, data_dir, maps, dry_run, as_json):
    """导入“双公示”行政许可信息：更新登记证号、有效期和状态，补充新主体。Import licence exports."""
    _run_import("licences", files, data_dir, maps, dry_run, as_json)
