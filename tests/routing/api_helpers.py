"""Plain helpers shared by the Smart Routing API test modules: URLs, clients, tree shapes."""

LIST = "/api/v1/routings/"
ROUTING_FIELDS = {"id", "name", "channel", "description", "tree"}
ATTACH = "interactions.add_interactioncheckpoint"
READ_INTERACTIONS = "interactions.view_interaction"
ROUTING_RIGHTS = [
    f"routing.{action}_smartrouting" for action in ("view", "add", "change", "delete")
]
CHANNELS = ["voice", "email", "messaging"]


def one(pk) -> str:
    return f"{LIST}{pk}/"


def run_url(pk) -> str:
    return f"{LIST}{pk}/run/"


def node(kind: str, label: str = "", branches: dict | None = None, **fields) -> dict:
    """A NODE in the full shape the API answers with (every field of its kind), without id."""
    data: dict = {"kind": kind, "label": label}
    if kind in ("set_variable", "switch"):
        data["variable"] = fields.pop("variable", "")
    if kind == "set_variable":
        data["value"] = fields.pop("value", "")
    if kind == "add_checkpoint":
        data["checkpoint"] = fields.pop("checkpoint", None)
        data["reference_code"] = fields.pop("reference_code", "")
    assert not fields, fields
    data["branches"] = branches or {}
    return data


def without_ids(tree: dict) -> dict:
    tree = {key: value for key, value in tree.items() if key != "id"}
    tree["branches"] = {key: without_ids(child) for key, child in tree["branches"].items()}
    return tree


def ids_of(tree: dict) -> list[int]:
    return [tree["id"], *(i for child in tree["branches"].values() for i in ids_of(child))]


def at(tree: dict, *outcomes: str) -> dict:
    for outcome in outcomes:
        tree = tree["branches"][outcome]
    return tree


def full_tree(checkpoint_id: int) -> dict:
    """Every kind, every field, a switch with values and default, both add_checkpoint forms."""
    return node(
        "start",
        "Incoming",
        {
            "next": node(
                "set_variable",
                "Language",
                {
                    "next": node(
                        "switch",
                        "By language",
                        {
                            "fr": node(
                                "add_checkpoint",
                                "Opt-in FR",
                                {
                                    "ok": node("end", "Transfer FR"),
                                    "reference_not_found": node("end", "Lost"),
                                },
                                checkpoint=checkpoint_id,
                            ),
                            "en": node(
                                "add_checkpoint",
                                "Opt-in by code",
                                {"ok": node("end", "Transfer EN")},
                                reference_code="optin_{{ lang }}",
                            ),
                            "default": node("end", "Close"),
                        },
                        variable="lang",
                    )
                },
                variable="lang",
                value="{{ lang|default:'fr'|lower }}",
            )
        },
    )


def wrap(child, outcome: str = "next") -> dict:
    """A start whose ``outcome`` leads to ``child``."""
    return {"kind": "start", "branches": {outcome: child}}


def switch_tree(variable: str, branches: dict) -> dict:
    """A start, then a switch on ``variable`` with these ``branches``."""
    return wrap({"kind": "switch", "variable": variable, "branches": branches})


def path_of(body: dict) -> list[tuple[str, str, str | None]]:
    return [(step["kind"], step["label"], step["outcome"]) for step in body["path"]]
