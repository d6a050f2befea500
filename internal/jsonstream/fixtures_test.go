package jsonstream_test

const fixtures = "../../fixtures/inventory"
