from . import test_outlet
from . import test_product
from . import test_donation
from . import test_security
from . import test_finance
from . import test_finance_security
from . import test_finance_report
from . import test_finance_concurrency
