/**
 * Connection settings of the running sandbox, as `scripts/sandbox env` prints them.
 * Integration tests call this; it fails with the command to run when the sandbox is down.
 */
export function sandboxEnv() {
  const read = (name: string) => {
    const value = process.env[name];
    if (!value) {
      throw new Error(
        `${name} is not set: start the sandbox with "scripts/sandbox up" and ` +
          `export its settings with: eval "$(scripts/sandbox env)"`,
      );
    }
    return value;
  };
  return {
    kafkaBrokers: read('SANDBOX_KAFKA_BROKERS').split(','),
    kafkaLib: read('SANDBOX_KAFKA_LIB'),
    postgresUrl: read('SANDBOX_PG_URL'),
    vectorUrl: read('SANDBOX_VECTOR_URL'),
    cli: read('SANDBOX_CLI'),
  };
}
