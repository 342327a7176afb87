from . import timebank_finance_report_wizard
