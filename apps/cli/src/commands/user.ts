import type { Command } from 'commander';
import { hash } from '@node-rs/argon2';
import { withStorage } from '../data-dir.js';
import { CliError, EXIT, fail, printJson, printLine } from '../output.js';
import { promptSecret, readStdin } from '../prompt.js';

const ROLES = ['owner', 'admin', 'member'];
const MIN_PASSWORD_LENGTH = 8;

/** The password: first line of stdin when piped, else a hidden prompt typed twice. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) return (await readStdin()).split(/\r?\n/)[0] ?? '';
  const first = await promptSecret('password:');
  const second = await promptSecret('password again:');
  if (first !== second) throw new CliError('the passwords differ', EXIT.USAGE);
  return first;
}

export function registerUserCommand(program: Command): void {
  const user = program.command('user').description('users of the BudFlow server (data dir)');
  user
    .command('create')
    .description(
      'create a user (the first one is usually the owner); the password comes from stdin or a hidden prompt',
    )
    .requiredOption('--email <email>', 'login email')
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--role <role>', `role: ${ROLES.join(', ')}`, 'owner')
    .option('--json', 'print the user (without the password hash) as JSON')
    .action(
      async (options: {
        email: string;
        firstName?: string;
        lastName?: string;
        role: string;
        json?: boolean;
      }) => {
        try {
          if (!/^[^\s@]+@[^\s@]+$/.test(options.email)) {
            throw new CliError(`'${options.email}' is not an email address`, EXIT.USAGE);
          }
          if (!ROLES.includes(options.role)) {
            throw new CliError(
              `unknown role '${options.role}': use ${ROLES.join(', ')}`,
              EXIT.USAGE,
            );
          }
          const password = await readPassword();
          if (password.length < MIN_PASSWORD_LENGTH) {
            throw new CliError(
              `the password must have at least ${MIN_PASSWORD_LENGTH} characters`,
              EXIT.USAGE,
            );
          }
          const passwordHash = await hash(password);
          const created = await withStorage(async (s) => {
            if (await s.users.getByEmail(options.email)) {
              throw new CliError(
                `a user with email '${options.email}' already exists`,
                EXIT.CONFLICT,
              );
            }
            return s.users.create({
              email: options.email,
              firstName: options.firstName ?? null,
              lastName: options.lastName ?? null,
              passwordHash,
              role: options.role,
            });
          });
          const { passwordHash: _hidden, ...shown } = created;
          if (options.json) printJson(shown);
          else printLine(`created ${shown.role} ${shown.email} (${shown.id})`);
        } catch (error) {
          fail(error);
        }
      },
    );
}
