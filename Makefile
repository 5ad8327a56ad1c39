# The two commands of the README's quick start.
.PHONY: run test bench

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

bench:
	bash scripts/system-deps.sh && bash scripts/python-env.sh && .venv/bin/python benchmarks/run_all.py
