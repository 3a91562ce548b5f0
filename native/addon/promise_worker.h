// The one AsyncWorker every binding uses: runs a parsed Job ("baton") on a libuv worker
// thread and settles a Promise. A Job has `void run()` (no JS inside) and
// `std::string failure() const` (empty on success, else a RangeError message).
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "args.h"

namespace facecore::addon {

// Runs a job on the calling (JS) thread: the synchronous form of a binding.
template <class Job>
Napi::Value RunNow(Napi::Env env, Job& job) {
  job.run();
  const std::string failure = job.failure();
  if (!failure.empty()) throw_range(env, failure);
  return env.Undefined();
}

template <class Job>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  // Queues the job; the worker deletes itself when done. The JS arrays held by `keep`
  // stay referenced until then.
  static Napi::Promise Start(Napi::Env env, const char* name, std::unique_ptr<Job> job,
                             std::unique_ptr<KeepAlive> keep) {
    auto* worker = new PromiseWorker(env, name, std::move(job), std::move(keep));
    Napi::Promise promise = worker->deferred_.Promise();
    worker->Queue();
    return promise;
  }

  void Execute() override {
    job_->run();
    message_ = job_->failure();
  }
  void OnOK() override {
    if (message_.empty()) deferred_.Resolve(Env().Undefined());
    else deferred_.Reject(Napi::RangeError::New(Env(), message_).Value());
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  PromiseWorker(Napi::Env env, const char* name, std::unique_ptr<Job> job, std::unique_ptr<KeepAlive> keep)
      : Napi::AsyncWorker(env, name),
        deferred_(Napi::Promise::Deferred::New(env)),
        job_(std::move(job)),
        keep_(std::move(keep)) {}

  Napi::Promise::Deferred deferred_;
  std::unique_ptr<Job> job_;
  std::unique_ptr<KeepAlive> keep_;
  std::string message_;
};

// Exports a binding in both forms from its one parse step (which reads the call's options
// into a Job, holding what an async run reads in `keep`; keep is null for the sync form):
// `name` runs on the JS thread, `name`Async settles a Promise from a libuv worker.
template <class Job, std::unique_ptr<Job> (*Parse)(const Napi::CallbackInfo&, KeepAlive*)>
void export_sync_and_async(Napi::Env env, Napi::Object exports, const std::string& name) {
  exports.Set(name, Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return RunNow(info.Env(), *Parse(info, nullptr));
  }));
  const std::string resource = "facecore." + name;
  exports.Set(name + "Async", Napi::Function::New(env, [resource](const Napi::CallbackInfo& info) -> Napi::Value {
    auto keep = std::make_unique<KeepAlive>();
    auto job = Parse(info, keep.get());
    return PromiseWorker<Job>::Start(info.Env(), resource.c_str(), std::move(job), std::move(keep));
  }));
}

}  // namespace facecore::addon
