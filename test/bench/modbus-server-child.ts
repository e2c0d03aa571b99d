import { RegisterImage } from '../../main/collect/modbus/register-image.js';
import { ModbusTcpServer } from '../../main/collect/modbus/tcp-server.js';

/**
 * A full-size Modbus TCP server (every table 65,536 wide, any unit id) in its own process, so the
 * benchmark's CPU figures are the app's alone. Values change every second. Prints "READY <port>".
 */
const image = new RegisterImage({ holding: 65_536, input: 65_536, coils: 65_536, discrete: 65_536 });
const server = new ModbusTcpServer(image);
let tick = 0;
const refresh = (): void => {
  tick++;
  for (let i = 0; i < 65_536; i++) {
    image.holding[i] = (i * 7 + tick) & 0xffff;
    image.input[i] = (i * 13 + tick) & 0xffff;
    image.coils[i] = (i + tick) & 1;
    image.discrete[i] = (i + tick + 1) & 1;
  }
};
refresh();
setInterval(refresh, 1000);
const port = await server.listen(Number(process.argv[2] ?? 0));
console.log(`READY ${port}`);
