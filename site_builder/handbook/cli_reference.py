"""The handbook's command-line reference, written from the commands' own --help.

The text a user gets from `zuofang COMMAND --help` is the reference; copying it by hand
would go stale the first time an option is added. The page is generated into the handbook's
sources (src/docs/cli.md) by `python -m site_builder.handbook.cli_reference`, and a test
fails when the committed copy differs from what the CLI says: the build itself never imports
the CLI (the CLI imports the build).
"""
from __future__ import annotations

import html


def _help_text(command, info_name: str, parent=None):
    """(context, help text) for one command, as `--help` prints it."""
    # A fixed width keeps the page byte-identical whatever terminal the build runs in,
    # and narrow enough for the page column (a Chinese character is one column to click, two on screen).
    ctx = command.context_class(command, info_name=info_name, parent=parent,
                                terminal_width=76, max_content_width=76)
    return ctx, command.get_help(ctx)


def walk(group, name: str = "zuofang"):
    """(full command name, command, help text) for the group and every command below it, in order."""
    ctx, help_text = _help_text(group, name)
    yield name, group, help_text
    yield from _children(group, ctx)


def _children(group, parent_ctx):
    for sub_name, command in getattr(group, "commands", {}).items():
        if getattr(command, "hidden", False):
            continue
        ctx, help_text = _help_text(command, sub_name, parent_ctx)
        yield ctx.command_path, command, help_text
        yield from _children(command, ctx)


def options(command) -> list[str]:
    """Every option string (`--out`, `-v`) and argument name a command accepts, `--help` included."""
    names = []
    for param in command.params:
        if param.param_type_name == "argument":
            names.append(param.human_readable_name)
        else:
            names += list(param.opts) + list(param.secondary_opts)
    names.append("--help")
    return names


def page(group) -> str:
    """Markdown for the reference page: the group's help, then one section per command."""
    lines = [
        "# 命令行参考 Command-line reference", "",
        "本页由各命令的 `--help` 输出生成（测试保证它与程序一致）。"
        "在终端中运行 `zuofang 命令 --help` 可以看到同样的内容。",
        "This page is generated from each command's `--help`; a test keeps it current.", "",
    ]
    for full_name, command, help_text in walk(group):
        lines += [f"## `{full_name}`", ""]
        short = command.get_short_help_str(limit=200)
        if short:
            lines += [html.escape(short, quote=False), ""]
        opts = options(command)
        lines += ["参数与选项 Arguments and options：" + "、".join(f"`{o}`" for o in opts), ""]
        # Fenced, so click's layout (aligned option columns) survives unchanged.
        lines += ["```text", help_text.rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    # python -m site_builder.handbook.cli_reference > site_builder/handbook/src/docs/cli.md
    from ..cli import cli

    print(page(cli), end="")
