"""Pure definition layer: YAML workflow files → validated, frozen definition objects."""

from flowengine.definitions.loader import Vocabulary, load_file, load_text
from flowengine.definitions.model import ActionDef, FieldDef, StateDef, WorkflowDefinition

__all__ = ["ActionDef", "FieldDef", "StateDef", "Vocabulary", "WorkflowDefinition", "load_file", "load_text"]
