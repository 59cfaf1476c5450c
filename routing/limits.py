"""The bounds of Smart Routing: the length of stored text and templates, and the work of one
run.

A run stops with a clear reason when it reaches one (``routing.runner``), the editor warns
when a value can pass one (``routing.rules``), and the template engine refuses any filter
result longer than a value may be (``routing.template_builtins``).
"""

# Stored text: a routing's name; a node's label, branch (outcome) and variable name.
ROUTING_NAME_MAX_LENGTH = 100
LABEL_MAX_LENGTH = 200
OUTCOME_MAX_LENGTH = 100
VARIABLE_MAX_LENGTH = 100

# Stored templates: a set_variable's value, an add_checkpoint's reference code.
VALUE_MAX_LENGTH = 1000
REFERENCE_CODE_MAX_LENGTH = 500

# One run.
RENDERED_MAX_LENGTH = 10_000  # characters of one rendered value (and of any filter result)
# All the run's variables as compact UTF-8 JSON: room for the interaction's and the run's own
# (each at most checkpoint_maker.validators.VARIABLES_MAX_BYTES, 32 KB) and 64 KB the tree sets.
RUN_VARIABLES_MAX_BYTES = 128 * 1024
MAX_STEPS = 1000  # nodes reached
RUN_MAX_SECONDS = 2.0  # wall time, checked between steps
