"""Personal information of dispatched people: masked as everywhere (`core.personal`)."""
from xiezuo.core.personal.masking import MASK, mask_id_number  # noqa: F401  (the people app's names)
