# Entry points for developers and CI. Each target is a script in scripts/ so that the
# README's commands, CI and the Dockerfile share one implementation.
.PHONY: run test unit lint samples bench eval soak templates clean queue-demo lock

run:        ## install what is needed, process samples/ into out/, print a summary
	bash scripts/run-samples.sh

queue-demo: ## the queue worker end to end on a local moto server (scripts/queue-demo.sh)
	bash scripts/queue-demo.sh

test:       ## the whole test suite, installing and starting what it needs
	bash scripts/test.sh

unit:       ## only the tests of pure code (fast)
	bash scripts/test.sh tests/unit

lint:
	bash scripts/venv.sh dev && .venv/bin/ruff check . && .venv/bin/mypy

samples:    ## regenerate the documents in samples/ from code
	bash scripts/venv.sh dev && .venv/bin/python tests/make_samples.py

bench:      ## benchmarks: ratios against baselines measured in the same run
	bash scripts/venv.sh dev && .venv/bin/python -m bench

eval:       ## OCR evaluation set: cis-worker vs raw tesseract per page class (bench/eval)
	bash scripts/venv.sh dev && nice -n 10 .venv/bin/python -m bench.eval $(EVAL_ARGS)

soak:       ## not in `make test`: 1,000 objects, workers killed and restarted, outages (~15 min)
	bash scripts/venv.sh dev && nice -n 10 .venv/bin/python -m bench.soak $(SOAK_ARGS)

lock:       ## regenerate requirements/*.txt (hash-pinned) from pyproject.toml (scripts/lock.sh)
	bash scripts/lock.sh

templates:  ## write the CloudFormation templates to build/cfn
	bash scripts/venv.sh dev && .venv/bin/python -m templates --out build/cfn

clean:
	rm -rf out build .pytest_cache .mypy_cache .ruff_cache
