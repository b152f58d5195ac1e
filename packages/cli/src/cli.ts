#!/usr/bin/env node
console.log('tradestate');
