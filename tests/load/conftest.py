# Fault/load suites are run as scripts, never by pytest (make test).
collect_ignore_glob = ["*"]
