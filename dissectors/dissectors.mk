# dissectors/: Kafka protocol decoding (owned by the schema/walker work).
