// The cache view: asks this node for /cluster, /stats and /cluster/buckets, and draws the answers.
// Plain JavaScript with no build step and nothing loaded from elsewhere: the node serves this file as it is.
'use strict';

(() => {
  // Quick enough to watch a killed node's buckets move (Orleans declares it dead in about 1 s), slow
  // enough that an open page costs little: /stats asks every node, so each refresh is one call per node.
  const refreshMs = 1500;

  // A request that reaches a node just killed can wait until the node is declared dead: give up on it,
  // keep showing the last answer, and ask again at the next refresh.
  const requestTimeoutMs = 5000;

  const routes = { cluster: '../cluster', stats: '../stats', buckets: '../cluster/buckets' };
  const last = { cluster: null, stats: null, buckets: null };
  const colours = new Map();
  const integers = new Intl.NumberFormat('en-US');

  const byId = (id) => document.getElementById(id);

  // Each node keeps the colour it was first given for as long as the page is open, so the grid's colours
  // do not shift when a node leaves the map. Golden-angle hues keep every new colour far from the others.
  function colourOf(node) {
    let colour = colours.get(node);
    if (colour === undefined) {
      colour = `hsl(${Math.round((colours.size * 137.508) % 360)} 65% 48%)`;
      colours.set(node, colour);
    }

    return colour;
  }

  async function getJson(name) {
    const path = new URL(routes[name], document.baseURI).pathname;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), requestTimeoutMs);
    try {
      const response = await fetch(routes[name], { cache: 'no-store', signal: controller.signal });
      if (!response.ok) {
        throw new Error(`answered ${response.status}`);
      }

      return await response.json();
    } catch (error) {
      throw new Error(controller.signal.aborted ? `${path} did not answer within ${requestTimeoutMs / 1000} s` : `${path}: ${error.message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  function formatInteger(value) {
    return typeof value === 'number' ? integers.format(value) : '—';
  }

  function formatBytes(bytes) {
    if (typeof bytes !== 'number') {
      return '—';
    }

    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }

    return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
  }

  function hitRatio(hits, misses) {
    if (typeof hits !== 'number' || hits + misses === 0) {
      return { text: '—', title: 'no reads yet' };
    }

    return { text: `${(100 * hits / (hits + misses)).toFixed(1)} %`, title: `${hits} hits, ${misses} misses` };
  }

  function cell(field, text, title) {
    const td = document.createElement('td');
    td.dataset.field = field;
    td.textContent = text;
    if (title) {
      td.title = title;
    }

    return td;
  }

  function swatch(node) {
    const span = document.createElement('span');
    span.className = 'swatch';
    span.style.backgroundColor = colourOf(node);
    return span;
  }

  // The stats columns of a node row or of the totals row.
  function statsCells(stats) {
    const ratio = hitRatio(stats?.hits, stats?.misses);
    return [
      cell('keys', formatInteger(stats?.keys)),
      cell('replicaKeys', formatInteger(stats?.replicaKeys)),
      cell('bytes', formatBytes(stats?.bytes), stats ? `${stats.bytes} bytes` : ''),
      cell('maxBytes', formatBytes(stats?.maxBytes), stats ? `${stats.maxBytes} bytes` : ''),
      cell('hitRatio', ratio.text, ratio.title),
      cell('evictions', formatInteger(stats?.evictions)),
      cell('expirations', formatInteger(stats?.expirations)),
    ];
  }

  function renderNodes(cluster, stats) {
    byId('self').textContent = cluster.self;
    const statsByNode = new Map((stats?.nodes ?? []).map((node) => [node.nodeId, node]));
    const rows = cluster.members.map((member) => {
      // A restarted node also has a dead row from its earlier run: the stats are the active one's.
      const nodeStats = member.status === 'Active' ? statsByNode.get(member.id) : undefined;
      const id = cell('id', '');
      id.append(swatch(member.id), member.id);
      const row = document.createElement('tr');
      row.dataset.node = member.id;
      row.dataset.status = member.status;
      row.append(
        id,
        cell('ip', member.ip),
        cell('status', member.status),
        cell('primaryBuckets', formatInteger(member.primaryBuckets)),
        cell('replicaBuckets', formatInteger(member.replicaBuckets)),
        ...statsCells(nodeStats));
      return row;
    });
    byId('node-rows').replaceChildren(...rows);

    const nodes = stats?.nodes ?? [];
    const sum = (field) => (nodes.length === 0 ? undefined : nodes.reduce((total, node) => total + node[field], 0));
    const totals = byId('totals');
    totals.replaceChildren(
      totals.firstElementChild,
      ...statsCells(nodes.length === 0 ? undefined : {
        keys: sum('keys'),
        replicaKeys: sum('replicaKeys'),
        bytes: sum('bytes'),
        maxBytes: sum('maxBytes'),
        hits: sum('hits'),
        misses: sum('misses'),
        evictions: sum('evictions'),
        expirations: sum('expirations'),
      }));
  }

  function renderBuckets(map) {
    const grid = byId('bucket-grid');
    if (grid.childElementCount !== map.buckets) {
      const cells = [];
      for (let bucket = 0; bucket < map.buckets; bucket++) {
        const span = document.createElement('span');
        span.className = 'bucket';
        span.dataset.bucket = String(bucket);
        cells.push(span);
      }

      grid.replaceChildren(...cells);
    }

    grid.dataset.buckets = String(map.buckets);
    grid.dataset.copies = String(map.copies);
    const primaries = new Map(map.nodes.map((node) => [node, 0]));
    for (let bucket = 0; bucket < map.buckets; bucket++) {
      const primary = map.nodes[map.primary[bucket]];
      const replicas = map.replicas[bucket].map((index) => map.nodes[index]);
      if (primary !== undefined) {
        primaries.set(primary, primaries.get(primary) + 1);
      }

      // Only cells whose copies moved are touched: a refresh usually changes none of 1024.
      const span = grid.children[bucket];
      const replicaList = JSON.stringify(replicas);
      if (span.dataset.primary === (primary ?? '') && span.dataset.replicas === replicaList) {
        continue;
      }

      span.dataset.primary = primary ?? '';
      span.dataset.replicas = replicaList;
      span.title = `bucket ${bucket}: primary ${primary ?? 'none'}`
        + (replicas.length === 0 ? ', no replica' : `, replica${replicas.length > 1 ? 's' : ''} ${replicas.join(', ')}`);
      span.style.backgroundColor = primary === undefined ? '' : colourOf(primary);
      span.style.borderBottomColor = replicas.length === 0 ? 'transparent' : colourOf(replicas[0]);
    }

    byId('bucket-summary').textContent =
      `${formatInteger(map.buckets)} buckets, ${map.copies} ${map.copies === 1 ? 'copy' : 'copies'} of each over ${map.nodes.length} `
      + `active ${map.nodes.length === 1 ? 'node' : 'nodes'}. A cell's colour is the node of its primary; its lower stripe, `
      + 'the node of its first replica. Hover a cell for its bucket number and nodes.';
    byId('legend').replaceChildren(...map.nodes.map((node) => {
      const item = document.createElement('li');
      item.dataset.node = node;
      item.append(swatch(node), `${node}: ${formatInteger(primaries.get(node))} primary buckets`);
      return item;
    }));
  }

  function showStatus(errors) {
    const status = byId('status');
    const time = new Date().toLocaleTimeString();
    status.dataset.state = errors.length === 0 ? 'ok' : 'stale';
    status.dataset.updated = new Date().toISOString();
    status.textContent = errors.length === 0
      ? `Updated ${time}.`
      : `Updated ${time}, showing the last answer where a request failed: ${errors.join('; ')}.`;
  }

  async function refresh() {
    const names = Object.keys(routes);
    const results = await Promise.allSettled(names.map(getJson));
    const errors = [];
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        last[names[i]] = result.value;
      } else {
        errors.push(result.reason.message);
      }
    });

    try {
      // Node ids get their colours in id order (the order /cluster lists them), whatever the map holds.
      (last.cluster?.members ?? []).forEach((member) => colourOf(member.id));
      if (last.cluster) {
        renderNodes(last.cluster, last.stats);
      }

      if (last.buckets) {
        renderBuckets(last.buckets);
      }
    } catch (error) {
      errors.push(`drawing failed: ${error.message}`);
    }

    showStatus(errors);
    setTimeout(refresh, refreshMs);
  }

  refresh();
})();
