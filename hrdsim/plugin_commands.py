"""``hrdsim plugins`` and ``hrdsim new-plugin``: seeing and starting plugins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from hrdsim.cli_support import errors_to_messages, plugin_options


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@plugin_options
@click.pass_context
@errors_to_messages
def plugins(ctx: click.Context, as_json: bool, plugin_paths: tuple[Path, ...],
            disabled: tuple[str, ...]) -> None:
    """List the plugins, their versions, the hooks they implement and their policies."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"plugin_paths": plugin_paths, "disabled": disabled}
        return
    listing = plugin_listing(plugin_paths, disabled)
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    policies = [policy for item in listing for policy in item["policies"]]
    # one column width for every plugin's policies, so that the summaries line up
    kind_width = max((len(policy["kind"]) for policy in policies), default=0)
    name_width = max((len(policy["name"]) for policy in policies), default=0)
    for item in listing:
        origin = " ".join(p for p in (item["distribution"].strip("()"), item["version"]) if p)
        click.echo(f"{item['name']} ({origin}) - {item['module']}")
        click.echo(f"    hooks: {', '.join(item['hooks'])}")
        for policy in item["policies"]:
            click.echo(f"    {policy['kind']:<{kind_width}}  {policy['name']:<{name_width}}  "
                       f"{policy['summary']}")


def plugin_listing(plugin_paths: Any = (), disabled: Any = ()) -> list[dict[str, Any]]:
    """Every loaded plugin with its distribution, version, hooks and policies."""
    from hrdsim.plugins import build_registry, make_plugin_manager, plugin_infos

    pm = make_plugin_manager(disabled=disabled, paths=plugin_paths)
    registry = build_registry(pm)
    listing = []
    for info in plugin_infos(pm):
        plugin = pm.get_plugin(info.name)
        hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        policies = [{"kind": e.kind, "name": e.name, "summary": e.summary}
                    for e in registry.entries() if e.plugin == info.name]
        listing.append({"name": info.name, "module": info.module,
                        "distribution": info.distribution, "version": info.version,
                        "hooks": hooks, "policies": policies})
    return listing


@plugins.command()
@click.argument("policy")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@plugin_options
@click.pass_context
@errors_to_messages
def show(ctx: click.Context, policy: str, as_json: bool, plugin_paths: tuple[Path, ...],
         disabled: tuple[str, ...]) -> None:
    """Show a policy's parameters: defaults, units, bounds and sources."""
    import attrs

    from hrdsim.cli_support import UserError
    from hrdsim.params import describe, did_you_mean
    from hrdsim.plugins import build_registry, make_plugin_manager

    options = ctx.obj or {}
    registry = build_registry(make_plugin_manager(
        disabled=(*options.get("disabled", ()), *disabled),
        paths=(*options.get("plugin_paths", ()), *plugin_paths)))
    entries = [e for e in registry.entries() if e.name == policy]
    if not entries:
        names = sorted({e.name for e in registry.entries()})
        raise UserError(f"no policy named {policy!r}{did_you_mean(policy, names)}; "
                        f"available: {', '.join(names)} (a local plugin? add --plugin PATH)")
    shown = []
    for entry in entries:
        params = describe(entry.params) if entry.params is not None else []
        shown.append({"kind": entry.kind, "name": entry.name, "plugin": entry.plugin,
                      "summary": entry.summary, "parameters": [attrs.asdict(p) for p in params]})
    if as_json:
        click.echo(json.dumps(shown, indent=2, default=str))
        return
    for item in shown:
        click.echo(f"{item['kind']} policy {item['name']!r} (plugin {item['plugin']})")
        click.echo(f"  {item['summary']}")
        if not item["parameters"]:
            click.echo("  No parameters.")
        for p in item["parameters"]:
            unit = f" {p['unit']}" if p["unit"] else ""
            click.echo(f"\n  {p['name']} = {p['default']!r}{unit}   ({p['type']}; {p['bounds']})")
            click.echo(f"      {p['doc']}")
            if p["source"]:
                click.echo(f"      source: {p['source']}")


@click.command("new-plugin")
@click.argument("name")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@errors_to_messages
def new_plugin(name: str, directory: Path | None) -> None:
    """Create an installable plugin package hrdsim-NAME (module hrdsim_NAME) with an
    entry point, a learning policy, a scenario and a passing test."""
    from hrdsim.scaffold import create_plugin

    target = create_plugin(name, directory or Path.cwd())
    click.echo(f"Created {target}/. Next:\n  cd {target}\n  pip install -e '.[test]'\n"
               f"  python -m pytest\n  hrdsim run scenarios/{name}.toml")
