# The two commands a new user needs: `make demo` and `make test`.
SHELL := /bin/bash

.PHONY: install services demo test test-unit fuzz stop

install:
	scripts/install.sh

services: install
	scripts/opensearch.sh start
	scripts/tika.sh start
	scripts/postgres.sh start
	scripts/keycloak.sh start
	scripts/redis.sh start

demo: services
	scripts/demo.sh

test: services
	scripts/install.sh --browser
	scripts/test.sh tests/unit tests/integration tests/e2e

# The property-based permission test at full strength: 10,000 generated identities × searches.
fuzz: services
	PERMISSION_FUZZ_EXAMPLES=10000 scripts/test.sh tests/integration/test_permission_properties.py

test-unit: install
	TEST_POSTGRES=0 TEST_REDIS=0 scripts/test.sh tests/unit

stop:
	-scripts/redis.sh stop
	-scripts/postgres.sh stop
	-scripts/keycloak.sh stop
	-scripts/mail-sink.sh stop
	-scripts/demo-archives.sh stop
	-scripts/tika.sh stop
	-scripts/opensearch.sh stop
