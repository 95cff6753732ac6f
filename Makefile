# The two commands: `make sweep` runs the main job, `make test` runs the tests.
SWEEP ?= sweeps/shakespeare.json
# Ready dataset files, when a checkout sits beside them (CI, these machines); otherwise the
# coordinator downloads and caches them.
ifneq ($(wildcard ../shared/data/tinyshakespeare.txt),)
RNNSWEEP_DATA_DIR ?= $(abspath ../shared/data)
export RNNSWEEP_DATA_DIR
endif

.PHONY: sweep test build setup bench clean

setup:
	@bash tools/setup

build: setup
	swift build -c release

sweep: build
	.build/release/coordinator run $(SWEEP)

test: setup
	swift test

bench: setup
	swift run -c release bench

clean:
	rm -rf .build
