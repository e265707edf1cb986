// Photos and videos for a journal form (R30): each chosen file is sent at once,
// in pieces, to /api/v1/uploads, with a progress bar and a remove button. A
// piece that fails is sent again, from where the server says the file got to,
// so a video survives nursery Wi-Fi. The form carries each file's key in a
// hidden "media" field; nothing is kept on the device.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  function send(method, url, body, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open(method, url);
      request.setRequestHeader("X-CSRFToken", csrfToken());
      Object.keys(headers || {}).forEach(function (name) {
        request.setRequestHeader(name, headers[name]);
      });
      if (onProgress && request.upload) {
        request.upload.onprogress = function (event) { onProgress(event.loaded); };
      }
      request.onload = function () {
        var data = null;
        try { data = JSON.parse(request.responseText); } catch (e) { data = null; }
        resolve({ status: request.status, data: data });
      };
      request.onerror = function () { reject(new Error("network")); };
      request.ontimeout = request.onerror;
      request.send(body);
    });
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function Upload(field, file) {
    this.field = field;
    this.file = file;
    this.removed = false;
    this.row = document.createElement("li");
    this.row.className = "upload";
    this.row.innerHTML =
      '<span class="upload-name"></span> <span class="upload-status" role="status">Starting…</span>' +
      '<progress max="100" value="0"></progress>' +
      '<button type="button" class="btn secondary small">Remove</button>';
    this.row.querySelector(".upload-name").textContent = file.name;
    this.status = this.row.querySelector(".upload-status");
    this.bar = this.row.querySelector("progress");
    this.bar.setAttribute("aria-label", "Sending " + file.name);
    var self = this;
    this.row.querySelector("button").addEventListener("click", function () { self.remove(); });
    field.list.appendChild(this.row);
  }

  Upload.prototype.say = function (text, failed) {
    this.status.textContent = text;
    this.row.classList.toggle("failed", !!failed);
  };

  Upload.prototype.start = async function () {
    var started = await send(
      "POST", this.field.startUrl,
      JSON.stringify({ name: this.file.name, size: this.file.size }),
      { "Content-Type": "application/json" }
    ).catch(function () { return { status: 0 }; });
    if (started.status !== 201) {
      var why = started.data && started.data.detail ? started.data.detail : "Could not start sending it.";
      if (started.data && started.data.errors && started.data.errors.size) why = started.data.errors.size.join(" ");
      this.say(why, true);
      this.bar.remove();
      return;
    }
    this.key = started.data.key;
    this.url = this.field.startUrl.replace(/\/?$/, "/") + this.key;
    this.chunk = started.data.chunk_size;
    this.hidden = document.createElement("input");
    this.hidden.type = "hidden";
    this.hidden.name = "media";
    this.hidden.value = this.key;
    this.row.appendChild(this.hidden);
    this.row.dataset.key = this.key;
    await this.sendPieces(0);
  };

  Upload.prototype.sendPieces = async function (offset) {
    var failures = 0;
    this.field.busy += 1;
    while (offset < this.file.size && !this.removed) {
      var piece = this.file.slice(offset, offset + this.chunk);
      var self = this, base = offset;
      this.say("Sending… " + Math.round((100 * offset) / this.file.size) + "%");
      var answer = await send("PUT", this.url + "?offset=" + offset, piece,
        { "Content-Type": "application/octet-stream" },
        function (loaded) {
          // The text follows the bar within a piece too (a photo is often one piece).
          var done = Math.min(100, (100 * (base + loaded)) / self.file.size);
          self.bar.value = done;
          self.say("Sending… " + Math.floor(done) + "%");
        }
      ).catch(function () { return { status: 0 }; });
      if (answer.status === 200 || answer.status === 409) {
        // 409: the server has a different amount; go on from there.
        offset = answer.status === 200 ? answer.data.received : parseInt(answer.data.errors.received[0], 10);
        failures = 0;
        continue;
      }
      if (answer.status >= 400 && answer.status < 500) {
        this.say((answer.data && answer.data.detail) || "It could not be sent.", true);
        this.field.busy -= 1;
        return;
      }
      failures += 1;
      this.say("Connection lost: trying again…");
      await wait(Math.min(30000, 1000 * Math.pow(2, failures)));
      var now = await send("GET", this.url).catch(function () { return { status: 0 }; });
      if (now.status === 200) offset = now.data.received;
    }
    this.field.busy -= 1;
    if (!this.removed) {
      this.bar.value = 100;
      this.say("Sent. Processing…");
      this.follow();
    }
  };

  Upload.prototype.follow = async function () {
    for (var i = 0; i < 600 && !this.removed; i++) {
      var now = await send("GET", this.url).catch(function () { return { status: 0 }; });
      if (now.status === 200 && now.data.status === "ready") {
        this.bar.remove();
        this.say("Ready");
        var image = document.createElement("img");
        image.src = now.data.thumbnail_url;
        image.alt = "Preview of " + this.file.name;
        image.width = 64;
        image.height = 64;
        this.row.insertBefore(image, this.row.querySelector("button"));
        return;
      }
      if (now.status === 200 && (now.data.status === "failed" || now.data.status === "needs_tools")) {
        this.bar.remove();
        this.say(now.data.problem, now.data.status === "failed");
        return;
      }
      await wait(1500);
    }
  };

  Upload.prototype.remove = function () {
    this.removed = true;
    if (this.key) send("DELETE", this.url).catch(function () {});
    this.row.remove();
    this.field.announce(this.file.name + " removed.");
  };

  function Field(element) {
    this.element = element;
    this.startUrl = element.dataset.start;
    this.list = element.querySelector("[data-list]");
    this.busy = 0;
    var self = this;
    element.querySelectorAll("[data-pick]").forEach(function (input) {
      input.addEventListener("change", function () {
        self.add(input.files);
        input.value = "";
      });
    });
    element.addEventListener("dragover", function (event) {
      event.preventDefault();
      element.classList.add("dragging");
    });
    element.addEventListener("dragleave", function () { element.classList.remove("dragging"); });
    element.addEventListener("drop", function (event) {
      event.preventDefault();
      element.classList.remove("dragging");
      self.add(event.dataTransfer.files);
    });
    this.list.querySelectorAll("li[data-key]").forEach(function (row) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn secondary small";
      button.textContent = "Remove";
      button.addEventListener("click", function () {
        send("DELETE", self.startUrl.replace(/\/?$/, "/") + row.dataset.key).catch(function () {});
        row.remove();
      });
      row.appendChild(button);
    });
    var form = element.closest("form");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (self.busy > 0) {
          event.preventDefault();
          self.announce("Wait until every file is sent, then save.");
        }
      });
    }
  }

  Field.prototype.add = function (files) {
    for (var i = 0; i < files.length; i++) new Upload(this, files[i]).start();
  };

  Field.prototype.announce = function (text) {
    var note = this.element.querySelector(".upload-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "upload-note";
      note.setAttribute("role", "alert");
      this.element.appendChild(note);
    }
    note.textContent = text;
  };

  document.querySelectorAll("[data-uploads]").forEach(function (element) { new Field(element); });
})();
