from . import test_service_record
from . import test_ledger
from . import test_ledger_concurrency
from . import test_tour
