/*
 * The command line itself (docs/cli.md): `--help` on every command, and command lines that are
 * wrong for their command refused with exit status 2, naming the mistake and the usage. None of
 * this needs a database: a data directory that does not exist stays so.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { gatehouseIn, runGatehouse } from '../../helpers/cli.js';

const nowhere = path.join(tmpdir(), `gatehouse-no-such-dir-${process.pid}`);
const env = { GATEHOUSE_DATA_DIR: nowhere, GATEHOUSE_LOG_LEVEL: 'silent' };
const run = (argv: string[], stdin = '') => gatehouseIn(env, argv, stdin);

/** Every command of issue 17's list that this slice registers. */
const commands = [
  ['serve'], ['migrate'],
  ['apps', 'create'], ['apps', 'list'], ['apps', 'rotate-secret'],
  ['users', 'create'], ['users', 'import'], ['users', 'disable'], ['users', 'enable'], ['users', 'set-password'], ['users', 'unlock'],
  ['users', 'factors', 'list'], ['users', 'factors', 'remove'], ['mail', 'test'],
  ['ips', 'unblock'],
  ['scopes', 'create'], ['scopes', 'list'], ['scopes', 'delete'],
  ['connections', 'list'], ['connections', 'test'], ['connections', 'delete'],
  ['config', 'validate'], ['config', 'export'],
];

describe('gatehouse --help and wrong command lines', () => {
  test('gatehouse --help (and help, -h) lists every command with its usage, exit status 0', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const { code, stdout, stderr } = await run(argv);
      assert.deepEqual([code, stderr], [0, ''], argv.join(' '));
      for (const words of commands) assert.match(stdout, new RegExp(`\\n  gatehouse ${words.join(' ')}\\b`), words.join(' '));
      assert.match(stdout, /gatehouse apps create <client_id> \[options\]/);
      assert.match(stdout, /Run "gatehouse <command> --help"/);
    }
  });

  test('without a command it prints the list and exits 2', async () => {
    const { code, stdout } = await run([]);
    assert.equal(code, 2);
    assert.match(stdout, /gatehouse users unlock <username>/);
  });

  test('every command has --help: its usage, arguments, options and exit statuses, exit status 0', async () => {
    for (const words of commands) {
      const { code, stdout, stderr } = await run([...words, '--help']);
      assert.deepEqual([code, stderr], [0, ''], words.join(' '));
      assert.match(stdout, new RegExp(`^Usage: gatehouse ${words.join(' ')}`), words.join(' '));
      assert.match(stdout, /\nOptions:\n(.|\n)*-h, --help/, words.join(' '));
      assert.match(stdout, /Exit status: 0 done, 1 refused or failed .*, 2 wrong arguments/, words.join(' '));
      // -h, and help before the command, say the same.
      assert.equal((await run([...words, '-h'])).stdout, stdout);
      assert.equal((await run(['help', ...words])).stdout, stdout);
    }
  });

  test('a command\'s help names its arguments and each option with its value and whether it repeats', async () => {
    const { stdout } = await run(['apps', 'create', '--help']);
    assert.match(stdout, /Arguments:\n  <client_id> +the application's client_id/);
    assert.match(stdout, /--redirect-uri <uri> +redirect_uris: .*\n.*\(repeatable\)/);
    assert.match(stdout, /--public +a public client/);
    assert.match(stdout, /Examples:\n  gatehouse apps create notes/);
    const users = await run(['users', 'create', '--help']);
    assert.match(users.stdout, /--group <group> +a group the user is in \(the groups claim\) \(repeatable\)/);
    assert.match(users.stdout, /--generate-password/);
  });

  test('a group without its command lists the group\'s commands: exit 2, or 0 with --help', async () => {
    const bare = await run(['apps']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /"apps" needs a command/);
    assert.match(bare.stderr, /gatehouse apps rotate-secret <client_id>/);
    assert.doesNotMatch(bare.stderr, /gatehouse users/);
    const help = await run(['apps', '--help']);
    assert.deepEqual([help.code, help.stderr], [0, '']);
    assert.match(help.stdout, /gatehouse apps list/);
  });

  test('an unknown command exits 2 naming it', async () => {
    for (const argv of [['frobnicate'], ['apps', 'frobnicate'], ['users', 'list']]) {
      const { code, stderr } = await run(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(stderr, new RegExp(`unknown command "${argv.join(' ')}"`));
      assert.match(stderr, /Usage:/);
    }
  });

  test('an unknown option, a missing or extra argument, a missing value or a repeated option exits 2 naming it, with the usage', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['apps', 'create', 'notes', '--bogus'], /gatehouse apps create: unknown option --bogus/],
      [['apps', 'create', 'notes', '-x'], /gatehouse apps create: unknown option -x/],
      [['apps', 'create'], /gatehouse apps create: missing argument <client_id>/],
      [['users', 'unlock'], /gatehouse users unlock: missing argument <username>/],
      [['scopes', 'create', 'desk'], /gatehouse scopes create: missing argument <description> <claim,claim...>/],
      [['apps', 'list', 'extra'], /gatehouse apps list: unexpected argument "extra"/],
      [['apps', 'create', 'notes', '--name'], /gatehouse apps create: option --name needs a value <name>/],
      [['apps', 'create', 'notes', '--name', 'A', '--name', 'B'], /gatehouse apps create: option --name is given twice/],
      [['apps', 'create', 'notes', '--public=yes'], /gatehouse apps create: option --public takes no value/],
      [['apps', 'create', 'notes', '--public', '--auth-method', 'client_secret_post'], /--public and --auth-method client_secret_post contradict each other/],
      [['users', 'create', 'eve', '--password', '--generate-password'], /give --password or --generate-password, not both/],
      [['users', 'import', 'people.txt'], /cannot tell the format of "people.txt" from its name: give --format csv or --format jsonl/],
      [['users', 'import', 'people.csv', '--format', 'xml'], /--format must be csv or jsonl, not "xml"/],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await run(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, message, argv.join(' '));
      assert.match(stderr, new RegExp(`\\nUsage: gatehouse ${argv[0]} ${argv[1]}`), argv.join(' '));
    }
    assert.equal(existsSync(nowhere), false, 'no command line above opened (or created) a database');
  });

  test('-- ends the options, so that an argument may start with a dash', async () => {
    const { code, stderr } = await run(['users', 'unlock', '--', '--alice']);
    assert.equal(code, 1, 'the command ran (and found no database)');
    assert.match(stderr, /no Gatehouse database at/);
  });

  test('the bin, as a process, exits with the same statuses', async () => {
    const help = await runGatehouse(['apps', 'rotate-secret', '--help'], env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: gatehouse apps rotate-secret <client_id>/);
    const wrong = await runGatehouse(['apps', 'rotate-secret'], env);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /missing argument <client_id>/);
    const refused = await runGatehouse(['apps', 'list'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /gatehouse: no Gatehouse database at /);
  });
});
