import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

/** The parsed arguments a builder declares, as a handler receives them. */
export type ArgsOf<B> = B extends (y: Argv) => Argv<infer A> ? ArgumentsCamelCase<A> : never;

/**
 * A yargs command whose handler arguments are typed by what its builder declares. yargs' CommandModule
 * wants that type spelled out and the builder cast to it; this does both once for every command.
 */
export function defineCommand<A>(spec: {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<A>;
  handler: (args: ArgumentsCamelCase<A>) => void | Promise<void>;
}): CommandModule<object, A> {
  return { ...spec, builder: spec.builder as unknown as CommandModule<object, A>['builder'] };
}
