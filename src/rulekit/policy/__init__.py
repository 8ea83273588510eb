"""The regulation as data: model, loading, schema and semantic checks."""
from .load import DEFAULT_POLICY, LoadedPolicy, load_policy, policy_constants, require_valid
from .model import Policy

__all__ = ["DEFAULT_POLICY", "LoadedPolicy", "Policy", "load_policy", "policy_constants", "require_valid"]
