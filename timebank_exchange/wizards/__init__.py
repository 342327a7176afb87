from . import timebank_finance_report_wizard
from . import timebank_certificate_wizard
from . import timebank_commendation_wizard
from . import timebank_period_summary_wizard
