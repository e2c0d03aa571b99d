import { test } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoAxeViolations } from './axe.js';
import { expect, openApp, startServer, stopServer, type BrowserModeServer } from './fixtures.js';

/**
 * A demo plant that cannot start says why, in Trends (where a new user lands) and in Devices, instead of "No tags yet"
 * and "Demo plant not running" alone. The failure is real: the demo plant's folder in the data dir is a file, so its
 * OPC UA server cannot create its certificate folder.
 */
test('a demo plant that cannot start shows its reason in Trends and Devices', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-demo-'));
  writeFileSync(join(dataDir, 'demo'), 'not a folder');
  const server = await startServer(45_000, {}, [], { dataDir });
  try {
    await openApp(page, server);
    const main = page.getByRole('main');
    const trendReason = main.getByRole('alert').filter({ hasText: 'Demo plant not running.' });
    await expect(trendReason).toContainText('The demo plant could not start:');
    await expect(trendReason).toContainText(/not a directory|ENOTDIR|EEXIST/i);
    await expect(page.getByText('No tags yet. Add a device with tags in Devices.')).toBeVisible();
    await expectNoAxeViolations(page, 'Trends with a failed demo plant');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
    await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
    const devicesReason = page.getByRole('alert').filter({ hasText: 'Demo plant not running.' });
    await expect(devicesReason).toContainText('The demo plant could not start:');
    await expect(devicesReason).toContainText(/not a directory|ENOTDIR|EEXIST/i);
    await expect(page.getByLabel('Run the demo plant')).toBeChecked();
    await expectNoAxeViolations(page, 'Devices with a failed demo plant');
  } finally {
    await stopServer(server);
  }
});

/** Stops the service and keeps its data dir, for a restart on it. */
async function stopKeepingData(server: BrowserModeServer): Promise<void> {
  if (server.proc.exitCode !== null || server.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => server.proc.once('exit', () => r()));
  server.proc.kill('SIGTERM');
  await exited;
}

/** A program other than the demo plant on a port: accepts connections and holds them until closed. */
const listenOn = (port: number): Promise<{ close: () => Promise<void> } | undefined> =>
  new Promise((resolve) => {
    const sockets = new Set<net.Socket>();
    const srv = net.createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    // Taken already (another program): just as taken for the demo plant.
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () =>
      resolve({
        close: () =>
          new Promise<void>((r) => {
            srv.close(() => r());
            for (const socket of sockets) socket.destroy();
          }),
      }),
    );
  });

/**
 * A restart on the same data dir keeps the demo plant on its ports; when one of them is taken by another program it
 * moves, says so in Devices and Trends, and a device the user pointed at the old port is flagged in the device list.
 */
test('after a restart the demo plant keeps its ports, or says it moved and flags a device left on the old port', async ({
  page,
}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinedge-e2e-demo-ports-'));
  // Hold the default ports during the first start, so the ports kept are ones no other demo plant tries first.
  const defaults = await Promise.all([listenOn(48400), listenOn(15020)]);
  let server = await startServer(45_000, {}, [], { dataDir });
  for (const d of defaults) await d?.close();
  let squatter: { close: () => Promise<void> } | undefined;
  const nav = page.getByRole('navigation', { name: 'Main' });
  const toDevices = async (): Promise<void> => {
    await openApp(page, server);
    await nav.getByRole('link', { name: 'Devices' }).click();
    await expect(page.getByRole('heading', { name: 'Devices' })).toBeVisible();
  };
  const myRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'My test PLC' }) });
  try {
    await toDevices();
    const demoLine = page.getByLabel('Demo plant', { exact: true });
    await expect(demoLine).toContainText('running:');
    const [, opcua, modbus] =
      /opc\.tcp:\/\/127\.0\.0\.1:(\d+).*127\.0\.0\.1:(\d+)/s.exec((await demoLine.textContent()) ?? '') ?? [];
    expect(opcua).toBeDefined();
    expect(modbus).toBeDefined();

    // The user points a device of their own at the demo plant's Modbus port.
    await page.getByRole('button', { name: 'Add Modbus device' }).click();
    const form = page.getByRole('form', { name: 'New Modbus device' });
    await form.getByLabel('Device name', { exact: true }).fill('My test PLC');
    await form.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Port', { exact: true }).fill(String(modbus));
    await form.getByLabel('Tag 1 name', { exact: true }).fill('Level');
    await form.getByLabel('Tag 1 Modicon address', { exact: true }).fill('40001');
    await form.getByRole('button', { name: 'Save device' }).click();
    await expect(myRow).toBeVisible();
    await expect(myRow).not.toContainText('Check this endpoint');

    // Restarted: the same ports, nothing to say.
    await stopKeepingData(server);
    server = await startServer(45_000, {}, [], { dataDir });
    await toDevices();
    await expect(demoLine).toContainText(`opc.tcp://127.0.0.1:${opcua}`);
    await expect(demoLine).toContainText(`127.0.0.1:${modbus}`);
    await expect(myRow).toBeVisible();
    await expect(myRow).not.toContainText('Check this endpoint');
    await expect(page.getByText('Demo plant on new ports.')).toHaveCount(0);

    // Another program takes the Modbus port while TwinEdge is stopped.
    await stopKeepingData(server);
    squatter = await listenOn(Number(modbus));
    server = await startServer(45_000, {}, [], { dataDir });
    await toDevices();
    const moved = page.getByRole('status').filter({ hasText: 'Demo plant on new ports.' });
    await expect(moved).toContainText(`Modbus TCP port ${modbus} was taken, it now listens on`);
    await expect(demoLine).toContainText(`opc.tcp://127.0.0.1:${opcua}`);
    await expect(demoLine).not.toContainText(`127.0.0.1:${modbus}`);
    await expect(myRow).toContainText(`Check this endpoint: Port ${modbus} was the demo plant's; the demo plant now`);
    await expectNoAxeViolations(page, 'Devices with a moved demo plant and a device on its old port');

    await nav.getByRole('link', { name: 'Trends' }).click();
    await expect(
      page.getByRole('main').getByRole('status').filter({ hasText: 'Demo plant on new ports.' }),
    ).toContainText(`Modbus TCP port ${modbus} was taken`);
  } finally {
    await squatter?.close();
    await stopServer(server);
  }
});
