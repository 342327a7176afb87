from . import test_service_record
from . import test_ledger
