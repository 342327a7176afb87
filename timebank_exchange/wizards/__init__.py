from . import timebank_finance_report_wizard
from . import timebank_commendation_wizard
