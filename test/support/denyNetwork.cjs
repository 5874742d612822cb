// Preloaded (node --require) into a command that must run offline: any outbound TCP connection
// throws, so a step that reaches the network fails loudly instead of passing by luck.
'use strict';
const net = require('node:net');

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalised [options, callback] pair as one array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  // Unix-domain sockets (IPC between a process and its children) never leave the machine.
  if (options.path) return connect.apply(this, args);
  throw new Error(`network access in an offline step: ${options.host ?? 'localhost'}:${options.port}`);
};
