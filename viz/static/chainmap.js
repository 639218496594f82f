/* ronglian chain map and explorer (vis-network, served locally or inlined; no CDN).
 *
 * Reads its configuration from <script id="map-config" type="application/json">:
 *   {mode: "explore"|"map"|"standalone", lang, apiBase (null = no API, e.g. a file),
 *    payload (a viz.chainmap.build_map payload, or null), chains, initialChain, region,
 *    dataUrl, standaloneUrl, syntheticNote}
 * The layout comes computed from the server (physics is off); this file only restacks the
 * product bands when a collapsed product is expanded, with the constants of payload.layout
 * (viz/chainmap.py LAYOUT) — keep both in step.
 * Exposes window.network (the vis.Network) and window.ronglianMap (state and actions, for
 * tests and power users).
 */
(function () {
  'use strict';

  var I18N = {
    zh: {
      brand: '融链 · 产业链图谱', chain: '产业链', region: '地区代码', load: '加载',
      search: '搜索企业或产品…', find: '查找', filters: '筛选', all: '全部',
      f_region: '区域', local: '本地', external: '外地', f_size: '规模', f_tier: '梯队',
      f_segment: '环节', leader: '链主/龙头', special: '专精特新/小巨人/单项冠军', special_short: '专精特新类',
      none: '一般企业',
      path: '路径', path_from: '起点', path_to: '终点', path_find: '查找路径', path_clear: '清除',
      set_from: '设为路径起点', set_to: '设为路径终点', export_png: '导出 PNG',
      export_html: '导出离线 HTML', lang_other: 'English', close: '关闭',
      k_ent: '企业', k_local: '本地占比', k_prod: '产品节点', k_leaders: '链主', k_ties: '供应关系',
      k_bu: '补链', k_qiang: '强链', k_yan: '延链', k_ext: '可延链',
      synthetic: '注意：演示数据为合成数据，企业名称与关系均为虚构，不代表真实企业。',
      product: '产品节点', enterprise: '企业', segment: '环节', count: '企业数',
      local_count: '本地企业', external_count: '外地企业', gap: '缺口类型', score: '缺口分值',
      reasons: '原因', candidates: '可招引/对接企业', extensions: '延链方向', members: '企业',
      expand: '展开企业', collapse: '收起企业', size_class: '规模', tiers: '梯队',
      region_code: '地区', local_flag: '是否本地', yes: '是', no: '否', products: '产品',
      partners: '图中供应关系', suppliers: '供应方', buyers: '采购方', profile: '企业档案',
      recs: '推荐合作伙伴（供应方）', loading: '加载中…', unavailable: '暂不可用',
      offline: '离线文件：无法连接接口', absent: '本服务器未提供此接口', no_path: '未找到路径', path_found: '路径',
      pick_two: '请先选择起点和终点企业', not_found: '未找到', none_gap: '无',
      legend: '图例', lg_size: '企业规模（颜色）', lg_tier: '企业梯队（形状）',
      lg_gap: '产品节点缺口', lg_edge: '关系', e_supplies: '供应关系', e_lead: '链主供应关系',
      e_produces: '生产', e_agg: '产品间供应（折叠汇总）', g_bu: '补链（本地缺失）', g_qiang: '强链（本地薄弱）',
      g_yan: '延链（可延伸）', g_ext: '可延链（无缺口，有延伸方向）', g_ok: '无缺口', faded: '外地企业（半透明、虚线）',
      collapsed_hint: '企业较多，已折叠到产品节点，点击产品节点展开', visible: '可见节点',
      p_short: '简称', p_uscc: '信用代码', p_region: '所在地', p_industry: '行业代码',
      p_founded: '成立', p_employees: '员工', p_revenue: '营收(万元)', p_caps: '能力', p_needs: '需求', need_open: '待满足', need_matched: '已对接', need_closed: '已关闭',
      p_partners: '合作伙伴', p_source: '来源',
      title: '产业链图谱 · 融链', chain_missing: '未找到产业链“{id}”，请从列表中选择',
      loaded_fail: '加载失败', no_chains: '暂无产业链数据（请先导入或运行 ronglian demo）', up: '上游', mid: '中游', down: '下游', upstream: '上游方向',
      downstream: '下游方向'
    },
    en: {
      brand: 'Ronglian · Chain map', chain: 'Chain', region: 'Region code', load: 'Load',
      search: 'Search firm or product…', find: 'Find', filters: 'Filters', all: 'All',
      f_region: 'Region', local: 'Local', external: 'External', f_size: 'Size', f_tier: 'Tier',
      f_segment: 'Segment', leader: 'Chain leader', special: 'Specialised (专精特新 etc.)',
      special_short: 'Specialised',
      none: 'Other firms', path: 'Path', path_from: 'From', path_to: 'To',
      path_find: 'Find path', path_clear: 'Clear', set_from: 'Set as path start',
      set_to: 'Set as path end', export_png: 'Export PNG', export_html: 'Export offline HTML',
      lang_other: '中文', close: 'Close', k_ent: 'Enterprises', k_local: 'Local share',
      k_prod: 'Product nodes', k_leaders: 'Leaders', k_ties: 'Supply ties',
      k_bu: 'Missing 补链', k_qiang: 'Weak 强链', k_yan: 'Extend 延链',
      k_ext: 'Can extend 可延链',
      synthetic: 'Note: the demo data is synthetic; names and ties are fictitious.',
      product: 'Product node', enterprise: 'Enterprise', segment: 'Segment', count: 'Firms',
      local_count: 'Local firms', external_count: 'External firms', gap: 'Gap class',
      score: 'Gap score', reasons: 'Reasons', candidates: 'Firms to attract or connect',
      extensions: 'Extension directions', members: 'Firms', expand: 'Expand firms',
      collapse: 'Collapse firms', size_class: 'Size', tiers: 'Tiers', region_code: 'Region',
      local_flag: 'Local', yes: 'yes', no: 'no', products: 'Products',
      partners: 'Supply ties on the map', suppliers: 'Suppliers', buyers: 'Buyers',
      profile: 'Profile', recs: 'Recommended partners (suppliers)', loading: 'Loading…',
      unavailable: 'unavailable', offline: 'Offline file: no API',
      absent: 'not provided by this server', no_path: 'No path found',
      path_found: 'Path', pick_two: 'Pick a start and an end firm first', not_found: 'Not found',
      none_gap: 'none', legend: 'Legend', lg_size: 'Firm size (colour)',
      lg_tier: 'Firm tier (shape)', lg_gap: 'Product gaps', lg_edge: 'Ties',
      e_supplies: 'Supplies', e_lead: 'Leader supply tie', e_produces: 'Produces',
      e_agg: 'Supply between products (collapsed)',
      g_bu: '补链 missing locally', g_qiang: '强链 weak locally', g_yan: '延链 extension',
      g_ext: '可延链 no gap, extension directions',
      g_ok: 'No gap', faded: 'External firm (faded, dashed)',
      collapsed_hint: 'Many firms: collapsed into product nodes; click one to expand',
      p_short: 'Short name', p_uscc: 'USCC', p_region: 'Location', p_industry: 'Industry',
      p_founded: 'Founded', p_employees: 'Employees', p_revenue: 'Revenue (10k CNY)',
      p_caps: 'Capabilities', p_needs: 'Needs', need_open: 'open', need_matched: 'matched', need_closed: 'closed', p_partners: 'Partners', p_source: 'Source',
      visible: 'visible nodes', loaded_fail: 'Failed to load', title: 'Chain map · Ronglian',
      chain_missing: 'Chain “{id}” not found; pick one from the list',
      no_chains: 'No chains loaded yet (import one or run ronglian demo)', up: 'Upstream',
      mid: 'Midstream', down: 'Downstream', upstream: 'upstream', downstream: 'downstream'
    }
  };
  var SIZE_COLOURS = {'大型': '#1f4e9c', '中型': '#2e86c1', '小型': '#45b39d', '微型': '#a3d9b1',
    '未划型': '#b0b7bf'};
  var SIZE_EN = {'大型': 'Large', '中型': 'Medium', '小型': 'Small', '微型': 'Micro',
    '未划型': 'Unclassified'};
  var SEG_KEY = {'上游': 'up', '中游': 'mid', '下游': 'down'};
  var GAP_KEY = {'补链': 'g_bu', '强链': 'g_qiang', '延链': 'g_yan'};
  // A profile's partners carry relation_zh (queries/profile.py REL_ZH); English names here.
  var REL_EN = {SUPPLIES: 'Supply', COOPERATES_WITH: 'Cooperation', INVESTS_IN: 'Investment',
    CONTROLS: 'Control', COMPETES_WITH: 'Competition'};

  var cfgEl = document.getElementById('map-config');
  var cfg = cfgEl ? JSON.parse(cfgEl.textContent) : {};
  // Captured before the network adds its canvas, so an exported copy starts clean.
  var initialHTML = '<!doctype html>\n' + document.documentElement.outerHTML;

  var state = {
    lang: cfg.lang === 'en' ? 'en' : 'zh', payload: null, nodes: null, edges: null,
    nodeView: null, edgeView: null, visible: new Set(), productById: {}, entById: {},
    filters: {region: 'all', size: 'all', tier: 'all', segment: 'all'},
    pathFrom: null, pathTo: null, pathMarks: null, panel: null, chainId: null,
    status: null, autoFit: false, fitObserver: null
  };

  function t(key) { return (I18N[state.lang] || I18N.zh)[key] || I18N.zh[key] || key; }
  /* A need's stored status (open/matched/closed, graph/MODEL.md) in the page's language. */
  function needStatus(s) { var k = 'need_' + s; return (I18N.zh[k] ? t(k) : s); }
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { e.textContent = attrs[k]; } else if (k === 'onclick') {
        e.addEventListener('click', attrs[k]);
      } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) {
        e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
      }
    });
    return e;
  }
  function segName(name) { return SEG_KEY[name] ? t(SEG_KEY[name]) : name; }
  function sizeName(s) { return state.lang === 'en' ? (SIZE_EN[s] || s) : s; }
  /* A gapless node with extension directions is not a 延链 gap (the gap service's classes
   * only): it is named apart. */
  function relName(p) {
    return state.lang === 'en' ? REL_EN[p.relation] || p.relation || '' : p.relation_zh || p.relation || '';
  }
  function gapName(g, ext) { return g ? t(GAP_KEY[g]) : ext ? t('g_ext') : t('none_gap'); }
  /* The server tells which API routes exist (cfg.api), so an absent service shows
   * "unavailable" instead of a failed request. */
  function apiUrl(path, feature) {
    if (cfg.apiBase === null || cfg.apiBase === undefined) { return null; }
    if (feature && cfg.api && cfg.api[feature] === false) { return null; }
    return cfg.apiBase + path;
  }

  // ---------------------------------------------------------------- static texts, legend
  function applyTexts() {
    document.documentElement.lang = state.lang === 'en' ? 'en' : 'zh-CN';
    document.querySelectorAll('[data-i18n]').forEach(function (n) {
      n.textContent = t(n.getAttribute('data-i18n'));
    });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (n) {
      n.setAttribute('placeholder', t(n.getAttribute('data-i18n-placeholder')));
    });
    document.querySelectorAll('option[data-i18n-opt]').forEach(function (n) {
      var k = n.getAttribute('data-i18n-opt');
      n.textContent = k.indexOf('size:') === 0 ? sizeName(k.slice(5)) :
        k.indexOf('seg:') === 0 ? segName(k.slice(4)) : t(k);
    });
    var lt = $('lang-toggle'); if (lt) { lt.textContent = t('lang_other'); }
    var chain = state.payload ? state.payload.chain : null;
    document.title = (chain ? (chain.name || chain.id) + ' · ' : '') + t('title');
    renderStatus();
    renderLegend(); renderKpis(); renderPathBar(); renderVisibleCount();
    if (state.panel) { state.panel(); }
    if (window.network) { window.network.redraw(); }
  }

  /* The explorer's load line: state.status is a function of the language, so it follows the
   * language toggle like every other text. */
  function setStatus(fn) { state.status = fn; renderStatus(); }
  function renderStatus() {
    var st = $('load-status'); if (st) { st.textContent = state.status ? state.status() : ''; }
  }

  function swatch(kind, colour, extra) {
    return el('span', {'class': 'sw sw-' + kind + (extra ? ' ' + extra : ''),
      style: colour ? 'background:' + colour : ''});
  }
  function renderLegend() {
    var box = $('legend'); if (!box) { return; }
    box.textContent = '';
    box.appendChild(el('div', {'class': 'lg-title', text: t('legend') + ' ▾', title: t('legend'),
      onclick: function () { box.classList.toggle('folded'); }}));
    var sizes = el('div', {'class': 'lg-group'}, [el('div', {'class': 'lg-h', text: t('lg_size')})]);
    Object.keys(SIZE_COLOURS).forEach(function (s) {
      sizes.appendChild(el('div', {'class': 'lg-item'}, [swatch('dot', SIZE_COLOURS[s]), sizeName(s)]));
    });
    var tiers = el('div', {'class': 'lg-group'}, [el('div', {'class': 'lg-h', text: t('lg_tier')}),
      el('div', {'class': 'lg-item'}, [swatch('diamond', '#1f4e9c'), t('leader')]),
      el('div', {'class': 'lg-item'}, [swatch('star', null), t('special')]),
      el('div', {'class': 'lg-item'}, [swatch('dot', '#2e86c1'), t('none')]),
      el('div', {'class': 'lg-item'}, [swatch('dot', '#2e86c1', 'faded'), t('faded')])]);
    var gaps = el('div', {'class': 'lg-group'}, [el('div', {'class': 'lg-h', text: t('lg_gap')}),
      el('div', {'class': 'lg-item'}, [swatch('big', '#e53935'), t('g_bu')]),
      el('div', {'class': 'lg-item'}, [swatch('big', '#ffb300'), t('g_qiang')]),
      el('div', {'class': 'lg-item'}, [swatch('big', '#ffffff', 'dashed'), t('g_yan')]),
      el('div', {'class': 'lg-item'}, [swatch('big', '#90a4ae', 'ext'), t('g_ext')]),
      el('div', {'class': 'lg-item'}, [swatch('big', '#90a4ae'), t('g_ok')])]);
    var edges = el('div', {'class': 'lg-group'}, [el('div', {'class': 'lg-h', text: t('lg_edge')}),
      el('div', {'class': 'lg-item'}, [swatch('line', '#d35400', 'thick'), t('e_lead')]),
      el('div', {'class': 'lg-item'}, [swatch('line', '#8e6fb3'), t('e_supplies')]),
      el('div', {'class': 'lg-item'}, [swatch('line', '#c9d3da'), t('e_produces')]),
      el('div', {'class': 'lg-item'}, [swatch('line', '#b39ddb', 'thick'), t('e_agg')])]);
    [sizes, tiers, gaps, edges].forEach(function (g) { box.appendChild(g); });
  }

  function renderKpis() {
    var box = $('kpis'); if (!box) { return; }
    box.textContent = '';
    var p = state.payload; if (!p) { return; }
    var k = p.kpis;
    var items = [[t('k_ent'), k.enterprises, 'enterprises'],
      [t('k_local'), Math.round(k.local_share * 100) + '%', 'local_share'],
      [t('k_prod'), k.products, 'products'],
      [t('k_bu'), k.gaps['补链'], 'gap-bu'], [t('k_qiang'), k.gaps['强链'], 'gap-qiang'],
      [t('k_yan'), k.gaps['延链'], 'gap-yan'], [t('k_ext'), k.extensible || 0, 'extensible'],
      [t('k_leaders'), k.leaders, 'leaders'], [t('k_ties'), k.supply_ties, 'ties']];
    items.forEach(function (it) {
      box.appendChild(el('div', {'class': 'kpi kpi-' + it[2], 'data-kpi': it[2]}, [
        el('span', {'class': 'kpi-v', text: String(it[1])}), el('span', {'class': 'kpi-l', text: it[0]})]));
    });
    var title = $('chain-title');
    if (title) { title.textContent = (p.chain.name || p.chain.id) + (p.chain.region ? ' · ' + p.chain.region : ''); }
    var note = $('synthetic-note'); if (note) { note.hidden = !p.chain.synthetic; }
    var ri = $('region-input'); if (ri) { ri.placeholder = p.chain.region || ''; }
    var hint = $('collapsed-hint'); if (hint) { hint.hidden = !p.collapsed; }
  }

  // ---------------------------------------------------------------- layout and visibility
  function gridRows(n, L) { return n ? Math.ceil(n / L.grid_cols) : 0; }
  function bandHeight(n, L, size) {
    return Math.max(L.band_min, 2 * (size || 0) + L.label_room, gridRows(n, L) * L.cell_h + L.band_pad);
  }

  /* Same rules as viz/chainmap.py _place: bands stacked per column and centred on y=0;
   * a firm sits in the grid of its home product, the first expanded product it serves. */
  function relayout() {
    var p = state.payload, L = p.layout, home = {}, updates = [];
    p.products.forEach(function (pr) {
      if (!pr.expanded) { return; }
      pr.slots.forEach(function (eid) { if (!home[eid]) { home[eid] = pr.id; } });
    });
    p.segments.forEach(function (seg) {
      var col = p.products.filter(function (pr) { return pr.column === seg.index; });
      var hs = col.map(function (pr) { return bandHeight(pr.expanded ? pr.slots.length : 0, L, pr.size); });
      var y = -hs.reduce(function (a, b) { return a + b; }, 0) / 2;
      col.forEach(function (pr, i) {
        pr.x = seg.x; pr.y = y + hs[i] / 2; y += hs[i];
        updates.push({id: 'p:' + pr.id, x: pr.x, y: pr.y, expanded: pr.expanded,
          label: pr.expanded ? pr.name : pr.name + '\n(' + pr.count + ')'});
      });
    });
    p.enterprises.forEach(function (e) {
      var h = home[e.id] || null, x = null, y = null;
      if (h) {
        var pr = state.productById[h], k = pr.slotIndex[e.id], n = pr.slots.length;
        var rows = gridRows(n, L), row = Math.floor(k / L.grid_cols), c = k % L.grid_cols;
        x = pr.x + L.grid_dx + c * L.cell_w; y = pr.y + (row - (rows - 1) / 2) * L.cell_h;
      }
      e.home = h;
      updates.push({id: 'e:' + e.id, home: h, x: x, y: y});
    });
    state.nodes.update(updates);
    p.collapsed = p.products.some(function (pr) { return !pr.expanded; });
    refresh();
  }

  function nodeVisible(n) {
    var f = state.filters;
    if (n.kind === 'product') { return f.segment === 'all' || n.segment === f.segment; }
    if (!n.home) { return false; }
    var pr = state.productById[n.home];
    if (f.segment !== 'all' && pr.segment !== f.segment) { return false; }
    if (f.region === 'local' && !n.local) { return false; }
    if (f.region === 'external' && n.local) { return false; }
    if (f.size !== 'all' && n.size_class !== f.size) { return false; }
    if (f.tier !== 'all' && n.tier !== f.tier) { return false; }
    return true;
  }

  function refresh() {
    var vis = new Set();
    state.nodes.forEach(function (n) { if (nodeVisible(n)) { vis.add(n.id); } });
    state.visible = vis;
    state.nodeView.refresh(); state.edgeView.refresh();
    renderVisibleCount();
  }
  function renderVisibleCount() {
    var c = $('visible-count');
    if (c && state.nodeView) { c.textContent = t('visible') + ': ' + state.nodeView.length; }
  }

  function setExpanded(pid, on) {
    var pr = state.productById[pid];
    if (!pr || pr.expanded === on) { return; }
    pr.expanded = on; relayout();
  }

  // ---------------------------------------------------------------- network
  function beforeDrawing(ctx) {
    var p = state.payload; if (!p) { return; }
    ctx.save(); ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height); ctx.restore();
    var top = Infinity, bottom = -Infinity;
    p.products.forEach(function (pr) { top = Math.min(top, pr.y); bottom = Math.max(bottom, pr.y); });
    if (!isFinite(top)) { top = 0; bottom = 0; }
    var w = p.layout.col_width;
    p.segments.forEach(function (seg, i) {
      ctx.fillStyle = i % 2 ? '#f6f8fa' : '#eef3f8';
      ctx.fillRect(seg.x - 120, top - 160, w - 20, bottom - top + 320);
      ctx.fillStyle = '#37474f'; ctx.font = 'bold 34px sans-serif'; ctx.textAlign = 'left';
      ctx.fillText(segName(seg.name) + (i < p.segments.length - 1 ? '  →' : ''), seg.x - 100, top - 100);
    });
  }

  function buildNetwork(payload) {
    if (state.fitObserver) { state.fitObserver.disconnect(); state.fitObserver = null; }
    if (window.network) { window.network.destroy(); window.network = null; }
    window.__mapReady = false;
    state.payload = payload; state.productById = {}; state.entById = {};
    payload.products.forEach(function (pr) {
      state.productById[pr.id] = pr;
      pr.slotIndex = {};
      pr.slots.forEach(function (eid, k) { pr.slotIndex[eid] = k; });
    });
    payload.enterprises.forEach(function (e) { state.entById[e.id] = e; });
    state.pathFrom = state.pathTo = null; state.pathMarks = null;
    state.nodes = new vis.DataSet(payload.nodes);
    state.edges = new vis.DataSet(payload.edges);
    state.nodeView = new vis.DataView(state.nodes, {filter: function (n) { return state.visible.has(n.id); }});
    state.edgeView = new vis.DataView(state.edges, {filter: function (e) {
      if (!state.visible.has(e.from) || !state.visible.has(e.to)) { return false; }
      if (e.kind !== 'agg') { return true; }
      // A product-level sum of supply ties stands in while either end is collapsed.
      var a = state.productById[e.from.slice(2)], b = state.productById[e.to.slice(2)];
      return !(a.expanded && b.expanded);
    }});
    refresh();
    var big = payload.enterprises.length > 1000;
    var options = {
      physics: false,
      layout: {improvedLayout: false, randomSeed: 1},
      interaction: {hover: !big, tooltipDelay: 250, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
        multiselect: false, navigationButtons: false, keyboard: false},
      nodes: {font: {face: 'sans-serif'}},
      edges: {smooth: false, selectionWidth: 2, arrows: {to: {scaleFactor: 0.6}}}
    };
    var net = new vis.Network($('map'), {nodes: state.nodeView, edges: state.edgeView}, options);
    window.network = net;
    net.on('beforeDrawing', beforeDrawing);
    net.once('afterDrawing', function () {
      window.__mapReady = true; window.__mapReadyAt = performance.now();
      document.body.setAttribute('data-ready', '1');
    });
    net.on('click', function (ev) {
      if (!ev.nodes.length) { return; }
      var n = state.nodes.get(ev.nodes[0]);
      if (n.kind === 'product') {
        if (!n.expanded) { setExpanded(n.ref, true); }
        showProduct(n.ref);
      } else { showEnterprise(n.ref); }
    });
    applyTexts();
    net.fit({animation: false});
    // That fit holds for the canvas size of this moment. When the frame settles later (the
    // page opened directly, before the window or the header took their final size),
    // vis-network rescales its camera by the size ratio and the outer columns fall off the
    // frame. So refit after every resize until the reader moves or zooms the view.
    state.autoFit = true;
    net.on('dragStart', function () { state.autoFit = false; });
    net.on('zoom', function () { state.autoFit = false; });
    function refit() { if (state.autoFit && window.network === net) { net.fit({animation: false}); } }
    if (window.ResizeObserver) {
      // Created after vis-network's own observer of the same frame, so it runs after vis has
      // resized the canvas and moved its camera, in the same frame (no timer: a page captured
      // by a headless browser once its time budget ran out still gets the fitted view).
      state.fitObserver = new ResizeObserver(refit);
      state.fitObserver.observe(net.canvas.frame);
    } else {
      net.on('resize', function () { setTimeout(refit, 0); });  // vis moves its camera after this
    }
    return net;
  }

  // ---------------------------------------------------------------- side panel
  function openPanel(builder) {
    state.panel = function () {
      var box = $('panel'); box.textContent = ''; box.hidden = false;
      box.appendChild(el('button', {'class': 'panel-close', text: '×', title: t('close'),
        onclick: function () { box.hidden = true; state.panel = null; }}));
      builder(box);
    };
    state.panel();
  }
  function row(label, value) {
    return el('div', {'class': 'row'}, [el('span', {'class': 'k', text: label}),
      el('span', {'class': 'v', text: value === null || value === undefined || value === '' ? '—' : String(value)})]);
  }
  function entLink(id, name) {
    return el('a', {href: '#', 'class': 'ent-link', 'data-id': id, text: name || id,
      onclick: function (ev) { ev.preventDefault(); focusEnterprise(id); }});
  }

  function showProduct(pid) {
    var pr = state.productById[pid];
    openPanel(function (box) {
      box.setAttribute('data-kind', 'product'); box.setAttribute('data-id', pid);
      box.appendChild(el('div', {'class': 'panel-kind', text: t('product')}));
      box.appendChild(el('h2', {text: pr.name}));
      box.appendChild(row(t('segment'), segName(pr.segment)));
      box.appendChild(row(t('count'), pr.count));
      box.appendChild(row(t('local_count'), pr.local_count));
      box.appendChild(row(t('external_count'), pr.external_count));
      box.appendChild(row(t('gap'), gapName(pr.gap_class, pr.extensible)));
      if (pr.gap_score !== null && pr.gap_score !== undefined) { box.appendChild(row(t('score'), pr.gap_score)); }
      if (pr.gap_reasons && pr.gap_reasons.length) {
        box.appendChild(el('h3', {text: t('reasons')}));
        box.appendChild(el('ul', {}, pr.gap_reasons.map(function (r) { return el('li', {text: r}); })));
      }
      if (pr.candidates && pr.candidates.length) {
        box.appendChild(el('h3', {text: t('candidates')}));
        box.appendChild(el('ol', {'class': 'cands'}, pr.candidates.map(function (c) {
          return el('li', {}, [el('b', {text: c.name || c.id}),
            ' ' + (c.score !== undefined ? c.score : ''),
            c.reasons && c.reasons.length ? el('div', {'class': 'why', text: c.reasons.join('；')}) : null]);
        })));
      }
      if (pr.extensions && pr.extensions.length) {
        box.appendChild(el('h3', {text: t('extensions')}));
        box.appendChild(el('ul', {}, pr.extensions.map(function (x) {
          return el('li', {text: (x.name || '') + (x.direction ? ' (' + t(x.direction) + ')' : '')});
        })));
      }
      box.appendChild(el('button', {'class': 'toggle-expand',
        text: pr.expanded ? t('collapse') : t('expand'),
        onclick: function () { setExpanded(pid, !pr.expanded); showProduct(pid); }}));
      box.appendChild(el('h3', {text: t('members') + ' (' + pr.count + ')'}));
      box.appendChild(el('ul', {'class': 'members'}, pr.slots.slice(0, 60).map(function (eid) {
        var e = state.entById[eid];
        return el('li', {}, [entLink(eid, e.name), e.local ? '' : ' · ' + t('external')]);
      })));
    });
  }

  function tiesOf(eid) {
    var sup = [], buy = [];
    state.edges.forEach(function (e) {
      if (e.kind !== 'supplies') { return; }
      if (e.to === 'e:' + eid) { sup.push(e.from.slice(2)); }
      if (e.from === 'e:' + eid) { buy.push(e.to.slice(2)); }
    });
    return {suppliers: sup, buyers: buy};
  }

  /* A failed request rejects with an Error whose .problem is the API's problem+json body
   * (RFC 9457: title in Chinese, title_en, detail), when it sent one. */
  function fetchJson(url) {
    return fetch(url, {headers: {Accept: 'application/json'}}).then(function (r) {
      if (r.ok) { return r.json(); }
      return r.json().then(function (body) { return body; }, function () { return null; }).then(function (body) {
        var err = new Error('HTTP ' + r.status);
        if (body && (body.title || body.detail)) { err.problem = body; }
        throw err;
      });
    });
  }
  function errorText(err) {
    var p = err && err.problem;
    if (!p) { return err && err.message ? err.message : String(err); }
    var title = state.lang === 'en' ? p.title_en || p.title : p.title || p.title_en;
    return [title, p.detail].filter(Boolean).join(state.lang === 'en' ? ': ' : '：');
  }

  function showEnterprise(eid) {
    var e = state.entById[eid];
    var profile = {status: 'loading', data: null}, recs = {status: 'loading', data: null};
    var profileUrl = apiUrl('/api/v1/enterprises/' + encodeURIComponent(eid), 'profile');
    var recUrl = apiUrl('/api/v1/recommendations/partners?enterprise=' + encodeURIComponent(eid) +
      '&relation=SUPPLIES&top=5', 'recommendations');
    function build(box) {
      box.setAttribute('data-kind', 'enterprise'); box.setAttribute('data-id', eid);
      box.appendChild(el('div', {'class': 'panel-kind', text: t('enterprise')}));
      box.appendChild(el('h2', {text: e.name}));
      box.appendChild(row(t('size_class'), sizeName(e.size_class)));
      box.appendChild(row(t('tiers'), (e.tiers || []).join('、')));
      box.appendChild(row(t('region_code'), e.region_code));
      box.appendChild(row(t('local_flag'), e.local ? t('yes') : t('no')));
      box.appendChild(row(t('products'), e.products.map(function (p) {
        return state.productById[p] ? state.productById[p].name : p; }).join('、')));
      var ties = tiesOf(eid);
      box.appendChild(el('h3', {text: t('partners')}));
      [['suppliers', ties.suppliers], ['buyers', ties.buyers]].forEach(function (g) {
        if (!g[1].length) { return; }
        var d = el('div', {'class': 'ties'}, [t(g[0]) + ': ']);
        g[1].slice(0, 12).forEach(function (id, i) {
          if (i) { d.appendChild(document.createTextNode('、')); }
          d.appendChild(entLink(id, (state.entById[id] || {}).name));
        });
        box.appendChild(d);
      });
      box.appendChild(el('div', {'class': 'btns'}, [
        el('button', {'class': 'set-from', text: t('set_from'), onclick: function () { state.pathFrom = eid; renderPathBar(); }}),
        el('button', {'class': 'set-to', text: t('set_to'), onclick: function () { state.pathTo = eid; renderPathBar(); }})]));
      box.appendChild(el('h3', {text: t('profile')}));
      box.appendChild(remoteBlock(profile, function (d) {
        var out = el('div', {'class': 'profile'});
        function names(list, fmt) { return (list || []).slice(0, 8).map(fmt || function (x) { return x.name || x.id; }).join('、'); }
        var fields = [['p_short', d.short_name], ['p_uscc', d.uscc],
          ['p_region', d.region ? (d.region.full_name || d.region.name || d.region.code) : null],
          ['p_industry', d.industry_code], ['p_founded', d.founded], ['p_employees', d.employees],
          ['p_revenue', d.revenue], ['p_caps', names(d.capabilities)],
          ['p_needs', names(d.needs, function (n) { return n.name + (n.status ? '（' + needStatus(n.status) + '）' : ''); })],
          ['p_partners', names(d.partners, function (p) { return relName(p) + ' ' + (p.name || p.id); })],
          ['p_source', d.provenance ? d.provenance.source : null]];
        fields.forEach(function (f) { if (f[1] !== undefined && f[1] !== null && f[1] !== '') { out.appendChild(row(t(f[0]), f[1])); } });
        if (d.description) { out.appendChild(el('div', {'class': 'why', text: d.description})); }
        return out;
      }));
      box.appendChild(el('h3', {text: t('recs')}));
      box.appendChild(remoteBlock(recs, function (d) {
        var list = d.results || d.items || [];
        if (!list.length) { return el('div', {'class': 'muted', text: '—'}); }
        return el('ol', {'class': 'recs'}, list.slice(0, 5).map(function (r) {
          return el('li', {}, [state.entById[r.id] ? entLink(r.id, r.name) : el('b', {text: r.name || r.id}),
            r.score !== undefined ? ' ' + (+r.score).toFixed(2) : '',
            r.reasons && r.reasons.length ? el('div', {'class': 'why', text: r.reasons.join('；')}) : null]);
        }));
      }));
    }
    function remoteBlock(slot, render) {
      if (slot.status === 'loading') { return el('div', {'class': 'muted', text: t('loading')}); }
      if (slot.status === 'offline') { return el('div', {'class': 'muted', text: t('offline')}); }
      if (slot.status === 'absent') { return el('div', {'class': 'muted', text: t('absent')}); }
      if (slot.status === 'error') { return el('div', {'class': 'muted remote-error', text: t('unavailable')}); }
      return render(slot.data);
    }
    function load(slot, url) {
      if (!url) { slot.status = cfg.apiBase === null || cfg.apiBase === undefined ? 'offline' : 'absent'; return; }
      fetchJson(url).then(function (d) { slot.status = 'ok'; slot.data = d; },
        function () { slot.status = 'error'; }).then(function () {
        var box = $('panel'); if (box.getAttribute('data-id') === eid && state.panel) { state.panel(); }
      });
    }
    load(profile, profileUrl); load(recs, recUrl);
    openPanel(build);
  }

  // ---------------------------------------------------------------- search, focus, filters
  function focusEnterprise(eid) {
    var e = state.entById[eid]; if (!e) { return false; }
    if (!e.home) { setExpanded(e.products[0], true); }
    if (!state.visible.has('e:' + eid)) { resetFilters(); }
    window.network.selectNodes(['e:' + eid]);
    state.autoFit = false;
    window.network.focus('e:' + eid, {scale: 1.0, animation: false});
    showEnterprise(eid);
    return true;
  }
  function search(q) {
    q = (q || '').trim(); if (!q) { return false; }
    var p = state.payload, hit = null;
    p.products.some(function (pr) { if (pr.name.indexOf(q) >= 0) { hit = pr; return true; } return false; });
    if (hit) {
      if (!state.visible.has('p:' + hit.id)) { resetFilters(); }
      window.network.selectNodes(['p:' + hit.id]);
      state.autoFit = false;
      window.network.focus('p:' + hit.id, {scale: 0.8, animation: false});
      showProduct(hit.id); return true;
    }
    var ent = null;
    p.enterprises.some(function (e) { if (e.name.indexOf(q) >= 0 || e.id === q) { ent = e; return true; } return false; });
    if (ent) { return focusEnterprise(ent.id); }
    var s = $('search-status'); if (s) { s.textContent = t('not_found'); }
    return false;
  }
  function setFilter(name, value) {
    state.filters[name] = value;
    var sel = $('filter-' + name); if (sel && sel.value !== value) { sel.value = value; }
    refresh();
  }
  function resetFilters() { ['region', 'size', 'tier', 'segment'].forEach(function (k) { setFilter(k, 'all'); }); }

  // ---------------------------------------------------------------- path view
  function renderPathBar() {
    var f = $('path-from'), to = $('path-to');
    if (f) { f.textContent = state.pathFrom ? (state.entById[state.pathFrom] || {}).name || state.pathFrom : '—'; }
    if (to) { to.textContent = state.pathTo ? (state.entById[state.pathTo] || {}).name || state.pathTo : '—'; }
  }
  function localPath(a, b) {
    // Breadth-first over the ties drawn on the map (supply both ways, and shared products).
    var adj = {};
    function link(x, y) { (adj[x] = adj[x] || []).push(y); (adj[y] = adj[y] || []).push(x); }
    state.edges.forEach(function (e) { if (e.kind !== 'agg') { link(e.from, e.to); } });
    var start = 'e:' + a, goal = 'e:' + b, prev = {}, queue = [start], seen = new Set([start]);
    while (queue.length) {
      var x = queue.shift();
      if (x === goal) { break; }
      (adj[x] || []).forEach(function (y) { if (!seen.has(y)) { seen.add(y); prev[y] = x; queue.push(y); } });
    }
    if (!seen.has(goal)) { return null; }
    var path = [goal]; while (path[0] !== start) { path.unshift(prev[path[0]]); }
    return path;
  }
  function parseApiPath(d) {
    var paths = d.paths || d.results || (Array.isArray(d) ? d : []);
    var p = paths[0]; if (!p) { return null; }
    var ids = [], texts = [];
    if (p.nodes) { ids = p.nodes.map(function (n) { return typeof n === 'string' ? n : n.id; }); }
    var hops = p.hops || p.steps || [];
    if (!ids.length && hops.length) {
      ids = [hops[0].from || hops[0].source];
      hops.forEach(function (h) { ids.push(h.to || h.target); });
    }
    hops.forEach(function (h) { texts.push(h.text || h.explanation || h.description || h.sentence || ''); });
    return {ids: ids.map(function (i) { return 'e:' + i; }), texts: texts.filter(Boolean)};
  }
  function clearPath() {
    if (state.pathMarks) {
      state.nodes.update(state.pathMarks.nodes); state.edges.update(state.pathMarks.edges);
      state.pathMarks = null;
    }
    var out = $('path-result'); if (out) { out.textContent = ''; }
  }
  function highlightPath(ids, texts, source) {
    clearPath();
    var marksN = [], marksE = [], updN = [], updE = [];
    ids.forEach(function (id) {
      var n = state.nodes.get(id); if (!n) { return; }
      if (n.kind === 'enterprise' && !n.home) { setExpanded(state.entById[n.ref].products[0], true); n = state.nodes.get(id); }
      marksN.push({id: id, color: n.color, borderWidth: n.borderWidth});
      updN.push({id: id, borderWidth: 6, color: {background: n.color.background, border: '#e91e63',
        highlight: {background: n.color.background, border: '#e91e63'}}});
    });
    for (var i = 0; i + 1 < ids.length; i++) {
      var a = ids[i], b = ids[i + 1];
      state.edges.forEach(function (e) {
        if ((e.from === a && e.to === b) || (e.from === b && e.to === a)) {
          marksE.push({id: e.id, color: e.color, width: e.width});
          updE.push({id: e.id, width: 6, color: {color: '#e91e63', highlight: '#e91e63', hover: '#e91e63', opacity: 1}});
        }
      });
    }
    state.nodes.update(updN); state.edges.update(updE);
    state.pathMarks = {nodes: marksN, edges: marksE, ids: ids};
    refresh();
    var out = $('path-result');
    if (out) {
      out.textContent = '';
      var names = ids.map(function (id) { var n = state.nodes.get(id); return n ? (state.entById[n.ref] || state.productById[n.ref] || {}).name || n.ref : id.slice(2); });
      out.appendChild(el('div', {'class': 'path-line', text: t('path_found') + ' (' + source + '): ' + names.join(' → ')}));
      (texts || []).forEach(function (s) { out.appendChild(el('div', {'class': 'why', text: s})); });
    }
    var drawn = ids.filter(function (id) { return state.visible.has(id); });
    if (drawn.length) { state.autoFit = false; window.network.fit({nodes: drawn, animation: false}); }
  }
  function findPath() {
    var a = state.pathFrom, b = state.pathTo, out = $('path-result');
    if (!a || !b) { if (out) { out.textContent = t('pick_two'); } return Promise.resolve(null); }
    function fallback() {
      var p = localPath(a, b);
      if (!p) { clearPath(); if (out) { out.textContent = t('no_path'); } return null; }
      highlightPath(p, [], 'map'); return p;
    }
    var url = apiUrl('/api/v1/paths?from=' + encodeURIComponent(a) + '&to=' + encodeURIComponent(b), 'paths');
    if (!url) { return Promise.resolve(fallback()); }
    return fetchJson(url).then(function (d) {
      var p = parseApiPath(d);
      if (!p || !p.ids.length) { return fallback(); }
      highlightPath(p.ids, p.texts, 'API'); return p.ids;
    }, function () { return fallback(); });
  }

  // ---------------------------------------------------------------- export
  function download(href, name) {
    var a = el('a', {href: href, download: name}); document.body.appendChild(a); a.click(); a.remove();
  }
  function exportPng() {
    var canvas = document.querySelector('#map canvas');
    var url = canvas.toDataURL('image/png');
    download(url, 'chain-' + (state.payload.chain.id || 'map') + '.png');
    return url;
  }
  function exportHtml() {
    if (cfg.standaloneUrl && state.chainId) {
      var u = cfg.standaloneUrl.replace('{id}', encodeURIComponent(state.chainId)) +
        '?lang=' + state.lang + (cfg.region ? '&region=' + encodeURIComponent(cfg.region) : '');
      download(u, 'chain-' + state.chainId + '.html');
      return u;
    }
    var blob = new Blob([initialHTML], {type: 'text/html'});
    var url = URL.createObjectURL(blob);
    download(url, 'chain-' + (state.payload.chain.id || 'map') + '.html');
    return url;
  }

  // ---------------------------------------------------------------- explorer
  function loadChain(id) {
    state.chainId = id;
    setStatus(function () { return t('loading'); });
    var url = cfg.dataUrl.replace('{id}', encodeURIComponent(id)) + '?lang=' + state.lang +
      (cfg.region ? '&region=' + encodeURIComponent(cfg.region) : '');
    return fetchJson(url).then(function (payload) {
      setStatus(null);
      var panel = $('panel'); if (panel) { panel.hidden = true; state.panel = null; }
      buildNetwork(payload);
    }, function (err) {
      setStatus(function () { return t('loaded_fail') + (state.lang === 'en' ? ': ' : '：') + errorText(err); });
    });
  }
  function fillPicker(chains) {
    var sel = $('chain-picker'); if (!sel) { return; }
    sel.textContent = '';
    chains.forEach(function (c) {
      var o = el('option', {value: c.id, text: (c.name || c.id) + (c.enterprises !== undefined ? ' (' + c.enterprises + ')' : '')});
      sel.appendChild(o);
    });
    if (!chains.length) { setStatus(function () { return t('no_chains'); }); return; }
    var wanted = cfg.initialChain;
    if (wanted && !chains.some(function (c) { return c.id === wanted; })) {
      // Say so rather than silently drawing another chain; the picker starts empty.
      sel.selectedIndex = -1;
      setStatus(function () { return t('chain_missing').replace('{id}', wanted); });
      return;
    }
    var pick = wanted || chains[0].id;
    sel.value = pick; loadChain(pick);
  }
  function startExplorer() {
    var chainsUrl = apiUrl('/api/v1/chains', 'chains');
    var fromApi = chainsUrl ? fetchJson(chainsUrl) : Promise.reject(new Error('no api'));
    fromApi.then(function (d) { fillPicker(Array.isArray(d) ? d : (d.items || [])); },
      function () { fillPicker(cfg.chains || []); });
    var sel = $('chain-picker');
    if (sel) { sel.addEventListener('change', function () { loadChain(sel.value); }); }
    // Another region re-runs the gap analysis with that region as "local".
    var ri = $('region-input');
    if (ri) {
      ri.value = cfg.region || '';
      ri.addEventListener('change', function () {
        cfg.region = ri.value.trim() || null;
        if (state.chainId) { loadChain(state.chainId); }
      });
    }
  }

  function wire() {
    var lt = $('lang-toggle');
    if (lt) { lt.addEventListener('click', function () { state.lang = state.lang === 'zh' ? 'en' : 'zh'; applyTexts(); }); }
    ['region', 'size', 'tier', 'segment'].forEach(function (k) {
      var s = $('filter-' + k); if (s) { s.addEventListener('change', function () { setFilter(k, s.value); }); }
    });
    var si = $('search'), sb = $('search-btn');
    if (si) { si.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') { search(si.value); } }); }
    if (sb) { sb.addEventListener('click', function () { search(si.value); }); }
    var pf = $('path-find'), pc = $('path-clear');
    if (pf) { pf.addEventListener('click', function () { findPath(); }); }
    if (pc) { pc.addEventListener('click', function () { state.pathFrom = state.pathTo = null; clearPath(); renderPathBar(); refresh(); }); }
    var ep = $('export-png'), eh = $('export-html');
    if (ep) { ep.addEventListener('click', exportPng); }
    if (eh) { eh.addEventListener('click', exportHtml); }
  }

  window.ronglianMap = {state: state, search: search, setFilter: setFilter, resetFilters: resetFilters,
    setExpanded: setExpanded, showProduct: showProduct, showEnterprise: showEnterprise,
    findPath: findPath, exportPng: exportPng, exportHtml: exportHtml, loadChain: loadChain,
    setLang: function (l) { state.lang = l === 'en' ? 'en' : 'zh'; applyTexts(); },
    visibleCount: function () { return state.nodeView ? state.nodeView.length : 0; },
    setPath: function (a, b) { state.pathFrom = a; state.pathTo = b; renderPathBar(); }};

  wire();
  applyTexts();
  if (cfg.payload) { state.chainId = cfg.payload.chain.id; buildNetwork(cfg.payload); }
  else if (cfg.mode === 'explore') { startExplorer(); }
})();
