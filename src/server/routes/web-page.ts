// The page served at / (plain HTML + a script; no build step, no external resources).
export const WEB_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>facecore</title>
<style>
body{font:15px system-ui,sans-serif;margin:2em;max-width:60em}
#stage{position:relative;display:inline-block}#stage img{max-width:100%;display:block}
.box{position:absolute;border:2px solid #0a0;color:#fff;font-size:12px}.box span{background:#0a0;padding:0 3px}
#error{color:#b00}
</style></head><body>
<h1>facecore</h1>
<p><label>API key <input id="key" type="password" autocomplete="off"></label>
<label>Photo <input id="photo" type="file" accept="image/*"></label>
<button id="subjects-button">List subjects</button></p>
<p id="error"></p>
<div id="stage"><img id="image" alt=""></div>
<ul id="subjects"></ul>
<script>
const $ = (id) => document.getElementById(id);
const headers = () => ({ 'x-api-key': $('key').value });
function fail(text) { $('error').textContent = text; }
$('photo').addEventListener('change', async () => {
  const file = $('photo').files[0];
  if (!file) return;
  fail('');
  document.querySelectorAll('.box').forEach((b) => b.remove());
  const img = $('image');
  img.src = URL.createObjectURL(file);
  await img.decode();
  const form = new FormData();
  form.append('file', file);
  const res = await fetch('/api/v1/recognition/recognize?prediction_count=1', { method: 'POST', headers: headers(), body: form });
  const body = await res.json();
  if (!res.ok) return fail(body.message);
  const sx = img.clientWidth / img.naturalWidth, sy = img.clientHeight / img.naturalHeight;
  for (const face of body.result) {
    const b = face.box, div = document.createElement('div');
    div.className = 'box';
    Object.assign(div.style, { left: b.x_min * sx + 'px', top: b.y_min * sy + 'px', width: (b.x_max - b.x_min) * sx + 'px', height: (b.y_max - b.y_min) * sy + 'px' });
    const best = face.subjects[0];
    const label = document.createElement('span');
    label.textContent = best && best.similarity >= 0.5 ? best.subject + ' ' + best.similarity.toFixed(2) : 'unknown';
    div.append(label);
    $('stage').append(div);
  }
});
$('subjects-button').addEventListener('click', async () => {
  fail('');
  const res = await fetch('/api/v1/recognition/subjects', { headers: headers() });
  const body = await res.json();
  if (!res.ok) return fail(body.message);
  $('subjects').replaceChildren(...body.subjects.map((s) => Object.assign(document.createElement('li'), { textContent: s })));
});
</script></body></html>
`;
