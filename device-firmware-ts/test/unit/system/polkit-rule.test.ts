import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script, createContext } from 'node:vm';
import { systemDir } from '../../helpers/system-tools.js';

/**
 * The polkit rule the image installs (/etc/polkit-1/rules.d/50-pitwall.rules) run as polkit runs
 * it: one script given a `polkit` object, its rule called with an action (id, lookup of the
 * details systemd and NetworkManager pass) and a subject. polkit's own daemon is not here.
 */
const RULE = readFileSync(join(systemDir, 'polkit-1/rules.d/50-pitwall.rules'), 'utf8');
const Result = { NO: 'no', YES: 'yes', AUTH_SELF: 'auth_self', AUTH_SELF_KEEP: 'auth_self_keep', AUTH_ADMIN: 'auth_admin', AUTH_ADMIN_KEEP: 'auth_admin_keep', NOT_HANDLED: null };
type Rule = (action: unknown, subject: unknown) => unknown;

function loadRules(): Rule[] {
  const rules: Rule[] = [];
  const context = createContext({ polkit: { Result, addRule: (r: Rule) => rules.push(r), log: () => undefined, spawn: () => assert.fail('the rule spawns nothing') } });
  new Script(RULE, { filename: '50-pitwall.rules' }).runInContext(context);
  return rules;
}

const decide = (user: string, id: string, details: Record<string, string> = {}) => {
  const action = { id, lookup: (k: string) => details[k] };
  const subject = { user, pid: 1234, groups: [user], local: false, active: false, isInGroup: () => false, isInNetGroup: () => false };
  const answers = loadRules().map((r) => r(action, subject));
  return answers.find((a) => a !== null && a !== undefined) ?? null;
};

test('the rule file is ES5 (polkit interprets it) and adds exactly one rule', () => {
  const code = RULE.split('\n').filter((l) => !l.trimStart().startsWith('//')).join('\n');
  assert.doesNotMatch(code, /=>|`|\b(let|const|class)\s/, 'ES5 only');
  assert.equal(loadRules().length, 1);
});

test('pitwall: exactly the NetworkManager actions Wi-Fi provisioning and the hotspot need', () => {
  const nm = 'org.freedesktop.NetworkManager.';
  for (const a of ['settings.modify.system', 'network-control', 'wifi.scan', 'wifi.share.protected', 'wifi.share.open']) assert.equal(decide('pitwall', nm + a), 'yes', a);
  for (const a of ['enable-disable-network', 'enable-disable-wifi', 'sleep-wake', 'settings.modify.hostname', 'settings.modify.global-dns', 'settings.modify.own', 'reload', 'checkpoint-rollback', 'enable-disable-statistics', 'network-control.foo', 'settings.modify.system ']) {
    assert.equal(decide('pitwall', nm + a), null, a);
  }
});

test('pitwall: start and stop the support export unit, nothing else of systemd', () => {
  const manage = 'org.freedesktop.systemd1.manage-units';
  assert.equal(decide('pitwall', manage, { unit: 'pitwall-support-export.service', verb: 'start' }), 'yes');
  assert.equal(decide('pitwall', manage, { unit: 'pitwall-support-export.service', verb: 'stop' }), 'yes');
  const refused: Array<[string, Record<string, string>]> = [
    [manage, { unit: 'pitwall-support-export.service', verb: 'reload' }],
    [manage, { unit: 'pitwall-support-export.service' }],
    [manage, { unit: 'pitwall-device.service', verb: 'stop' }],
    [manage, { unit: 'ssh.service', verb: 'start' }],
    [manage, { unit: 'pitwall-support-export.service.d', verb: 'start' }],
    [manage, { unit: 'Pitwall-support-export.service', verb: 'start' }],
    [manage, { verb: 'start' }],
    ['org.freedesktop.systemd1.manage-unit-files', { unit: 'pitwall-support-export.service', verb: 'start' }],
    ['org.freedesktop.systemd1.reload-daemon', {}],
    ['org.freedesktop.login1.reboot', {}],
    ['org.freedesktop.hostname1.set-hostname', {}],
  ];
  for (const [id, details] of refused) assert.equal(decide('pitwall', id, details), null, `${id} ${JSON.stringify(details)}`);
});

test('pitwall: start pitwall-nm-load@UUID.service (one profile saved), nothing else of that template', () => {
  const manage = 'org.freedesktop.systemd1.manage-units';
  const uuid = '3f2b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
  assert.equal(decide('pitwall', manage, { unit: `pitwall-nm-load@${uuid}.service`, verb: 'start' }), 'yes');
  for (const [unit, verb] of [
    [`pitwall-nm-load@${uuid}.service`, 'stop'],
    [`pitwall-nm-load@${uuid}.service`, 'restart'],
    ['pitwall-nm-load@.service', 'start'],
    [`pitwall-nm-load@${uuid.toUpperCase()}.service`, 'start'],
    [`pitwall-nm-load@${uuid}-x.service`, 'start'],
    [`pitwall-nm-load@..-${uuid}.service`, 'start'],
    [`pitwall-nm-load@${uuid}.service\nx`, 'start'],
    [`x-pitwall-nm-load@${uuid}.service`, 'start'],
  ]) {
    assert.equal(decide('pitwall', manage, { unit: unit!, verb: verb! }), null, `${unit} ${verb}`);
  }
  assert.equal(decide('root', manage, { unit: `pitwall-nm-load@${uuid}.service`, verb: 'start' }), null);
});

test('any other user: not handled (the system defaults apply), whatever the action', () => {
  for (const user of ['root', 'pitwall-support', 'pitwall ', 'Pitwall', 'sshd', 'nobody']) {
    assert.equal(decide(user, 'org.freedesktop.NetworkManager.settings.modify.system'), null, user);
    assert.equal(decide(user, 'org.freedesktop.systemd1.manage-units', { unit: 'pitwall-support-export.service', verb: 'start' }), null, user);
  }
});
